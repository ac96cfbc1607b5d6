using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Smartspace.Meta.Sandbox;

/// <summary>A media file the sandbox holds: uploaded by us (<c>/media</c>) or sent by a simulated customer.</summary>
public sealed record SandboxMediaItem(string Id, string PhoneNumberId, string MimeType, byte[] Content, string Sha256Base64, bool Uploaded, DateTimeOffset CreatedAt, string? FileName);

/// <summary>A read receipt (optionally with the typing indicator) the sandbox received.</summary>
public sealed record SandboxReadReceipt(string PhoneNumberId, string Wamid, bool Typing, DateTimeOffset At);

/// <summary>One Graph media call the sandbox answered (lookups and downloads), so tests can count them (no retry storm).</summary>
public sealed record SandboxMediaRequest(string Kind, string MediaId, int StatusCode, DateTimeOffset At);

/// <summary>
/// The sandbox's media, like Meta's (reference §12): ids (webhook media ids live 7 days, uploaded ones 30), a lookup that
/// answers a URL valid for 5 minutes, a download that needs the bearer token. Test knobs: expire an id (Meta no longer
/// serves it) and hold every download until released (a hung Graph download).
/// </summary>
public sealed class SandboxMediaStore
{
    public static readonly TimeSpan UrlValidity = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan WebhookIdLifetime = TimeSpan.FromDays(7);
    public static readonly TimeSpan UploadedIdLifetime = TimeSpan.FromDays(30);

    private readonly ConcurrentDictionary<string, SandboxMediaItem> items = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string MediaId, DateTimeOffset ExpiresAt)> urls = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SandboxReadReceipt> receipts = new();
    private readonly ConcurrentQueue<SandboxMediaRequest> requests = new();
    private readonly object holdGate = new();
    private TaskCompletionSource? held;

    public SandboxMediaItem Add(string phoneNumberId, string mimeType, byte[] content, bool uploaded, DateTimeOffset now, string? fileName)
    {
        var item = new SandboxMediaItem(SandboxWamid.NewMediaId(), phoneNumberId, mimeType, content, Convert.ToBase64String(SHA256.HashData(content)), uploaded, now, fileName);
        items[item.Id] = item;
        return item;
    }

    /// <summary>The item while Meta would still serve it.</summary>
    public SandboxMediaItem? Find(string id, DateTimeOffset now) =>
        items.TryGetValue(id, out var item) && now - item.CreatedAt < (item.Uploaded ? UploadedIdLifetime : WebhookIdLifetime) ? item : null;

    /// <summary>Meta no longer serves this id (as after 7 days); false when unknown.</summary>
    public bool Expire(string id) => items.TryRemove(id, out _);

    public string NewUrlToken(string mediaId, DateTimeOffset now)
    {
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        urls[token] = (mediaId, now + UrlValidity);
        return token;
    }

    public SandboxMediaItem? ResolveUrl(string token, DateTimeOffset now) =>
        urls.TryGetValue(token, out var url) && now < url.ExpiresAt ? Find(url.MediaId, now) : null;

    public IReadOnlyList<SandboxReadReceipt> Receipts => receipts.ToArray();

    public IReadOnlyList<SandboxMediaRequest> Requests => requests.ToArray();

    internal void Record(SandboxReadReceipt receipt) => receipts.Enqueue(receipt);

    internal void Record(SandboxMediaRequest request) => requests.Enqueue(request);

    /// <summary>From now on every download waits until <see cref="Release"/>.</summary>
    public void Hold()
    {
        lock (holdGate)
        {
            held ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Release()
    {
        lock (holdGate)
        {
            held?.TrySetResult();
            held = null;
        }
    }

    /// <summary>Downloads held right now.</summary>
    public int Waiting => Volatile.Read(ref waiting);

    private int waiting;

    internal async Task WaitWhileHeldAsync(CancellationToken ct)
    {
        Task? gate;
        lock (holdGate)
        {
            gate = held?.Task;
        }

        if (gate is null)
        {
            return;
        }

        Interlocked.Increment(ref waiting);
        try
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref waiting);
        }
    }
}
