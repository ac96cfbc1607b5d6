using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Smartspace.Core.Meta;
using Smartspace.Storage;
using Smartspace.Storage.Sqlite;

namespace Smartspace.Functions.Features.MetaWebhook;

public enum WebhookInboxMode
{
    /// <summary>The webhook applies every change to the ledger before it answers (the default, and the only mode on Azure Tables).</summary>
    Off,
    /// <summary>The webhook answers once the verified body is fsynced in the inbox file and applies it right after (SQLite only).</summary>
    On,
}

/// <summary>Section "Webhook": how verified webhooks become durable before Meta gets its 200.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhook";

    /// <summary>
    /// On: the webhook answers 200 once the verified raw body is fsynced in the inbox file beside the SQLite store and
    /// applies it to the ledger right after (Meta: persist, acknowledge, process afterwards) — it absorbs bursts and
    /// ledger outages. Off (default): it applies the change to the ledger before answering, which sustains more
    /// webhooks per second on the same machine (one durable write path instead of two; see bench/README.md).
    /// </summary>
    public WebhookInboxMode Inbox { get; set; } = WebhookInboxMode.Off;

    /// <summary>Webhooks acknowledged but not applied yet beyond which new ones get 503 (Meta retries them later).</summary>
    public int InboxMaxPending { get; set; } = 20_000;

    /// <summary>Webhooks applied at the same time (each customer's webhooks stay in arrival order).</summary>
    public int ApplyConcurrency { get; set; } = 64;

    /// <summary>Attempts of a webhook that fails for a reason other than an unavailable store before it is dead-lettered.</summary>
    public int MaxApplyAttempts { get; set; } = 5;
}

internal sealed class WebhookOptionsValidator(IOptions<StorageOptions> storage) : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(options.Inbox))
        {
            errors.Add($"Webhook:Inbox '{options.Inbox}' is not one of: {string.Join(", ", Enum.GetNames<WebhookInboxMode>())}.");
        }

        if (options.Inbox == WebhookInboxMode.On && storage.Value.Provider != StorageProvider.Sqlite)
        {
            errors.Add("Webhook:Inbox=On needs Storage:Provider=Sqlite (the inbox is a file of this instance; with Azure Tables the webhook applies before answering).");
        }

        if (options.InboxMaxPending is < 1 or > 1_000_000)
        {
            errors.Add("Webhook:InboxMaxPending must be between 1 and 1000000.");
        }

        if (options.ApplyConcurrency is < 1 or > 1024)
        {
            errors.Add("Webhook:ApplyConcurrency must be between 1 and 1024.");
        }

        if (options.MaxApplyAttempts is < 1 or > 100)
        {
            errors.Add("Webhook:MaxApplyAttempts must be between 1 and 100.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

public enum InboxAcceptance { Stored, Full, LedgerUnavailable }

/// <summary>What the inbox holds and did (health, the local status endpoint, the benchmark).</summary>
public sealed record WebhookInboxStatus(bool Enabled, long Pending, long Appended, long Applied, long DeadLettered, bool LedgerUnavailable, long Commits);

/// <summary>
/// The durable webhook inbox and its applier (P3 without making Meta wait for the ledger). <see cref="AcceptAsync"/>
/// appends the verified raw body to <see cref="SqliteInbox"/> (group-committed, fsynced) and hands the parsed
/// envelope to one of <see cref="WebhookOptions.ApplyConcurrency"/> ordered lanes, chosen by customer, so a customer's
/// webhooks are applied in arrival order while different customers' run in parallel. Applying is
/// <see cref="WebhookIngestion.ApplyAsync"/> — the same code the inline mode runs — and is idempotent (wamid
/// dedupe, monotonic statuses), so whatever a crash leaves in the inbox is applied again at start. An unavailable
/// ledger is retried with backoff for as long as it takes (the webhook was acknowledged: it must not be lost) and,
/// meanwhile, new webhooks get 503; a webhook that keeps failing for another reason is dead-lettered with the reason
/// after <see cref="WebhookOptions.MaxApplyAttempts"/>.
/// </summary>
public sealed partial class WebhookInbox : IHostedService, IDisposable
{
    private static readonly TimeSpan CompletionInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly WebhookOptions _options;
    private readonly WebhookIngestion _ingestion;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookInbox> _logger;
    private readonly SqliteInbox? _inbox;
    private readonly Channel<Item>[] _lanes;
    private readonly Channel<long> _completed = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _workers = [];
    private long _pending;
    private long _appended;
    private long _applied;
    private long _deadLettered;
    private volatile bool _ledgerUnavailable;
    private int _disposed;

    public WebhookInbox(IOptions<WebhookOptions> options, IOptions<StorageOptions> storage, WebhookIngestion ingestion, TimeProvider time, ILogger<WebhookInbox> logger)
    {
        _options = options.Value;
        _ingestion = ingestion;
        _time = time;
        _logger = logger;
        Enabled = _options.Inbox == WebhookInboxMode.On && storage.Value.Provider == StorageProvider.Sqlite;
        _inbox = Enabled ? new SqliteInbox(SqliteInbox.PathBeside(storage.Value.SqlitePath)) : null;
        _lanes = new Channel<Item>[Enabled ? _options.ApplyConcurrency : 0];
        for (var i = 0; i < _lanes.Length; i++)
        {
            _lanes[i] = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
        }
    }

    public bool Enabled { get; }

    public WebhookInboxStatus Status => new(
        Enabled,
        Interlocked.Read(ref _pending),
        Interlocked.Read(ref _appended),
        Interlocked.Read(ref _applied),
        Interlocked.Read(ref _deadLettered),
        _ledgerUnavailable,
        _inbox?.Commits ?? 0);

    /// <summary>
    /// Removes the dead letters that name one of <paramref name="customerValues"/> (a customer's numbers as WhatsApp
    /// writes them, or BSUID) on one of <paramref name="channelIds"/>, and, when <paramref name="deadBefore"/> is given,
    /// every dead letter older than it; 0 when the inbox is off.
    /// </summary>
    public Task<long> PurgeDeadLettersAsync(IReadOnlyCollection<string> customerValues, IReadOnlyCollection<string> channelIds, DateTimeOffset? deadBefore, CancellationToken ct) =>
        _inbox is null ? Task.FromResult(0L) : _inbox.PurgeDeadLettersAsync(customerValues, channelIds, deadBefore, ct);

    /// <summary>
    /// Stores the verified body durably and queues its envelope for applying. <see cref="InboxAcceptance.Stored"/> means
    /// fsynced: answer 200. Full or an unavailable ledger: answer 503 and store nothing, so Meta retries later.
    /// </summary>
    /// <exception cref="StoreUnavailableException">The inbox file cannot be written; nothing was stored.</exception>
    public async Task<InboxAcceptance> AcceptAsync(byte[] body, WebhookEnvelope envelope, CancellationToken ct)
    {
        if (_inbox is null)
        {
            throw new InvalidOperationException("The webhook inbox is off.");
        }

        if (_ledgerUnavailable)
        {
            return InboxAcceptance.LedgerUnavailable;
        }

        if (Interlocked.Increment(ref _pending) > _options.InboxMaxPending)
        {
            Interlocked.Decrement(ref _pending);
            return InboxAcceptance.Full;
        }

        long seq;
        try
        {
            seq = await _inbox.AppendAsync(body, _time.GetUtcNow(), ct);
        }
        catch
        {
            Interlocked.Decrement(ref _pending);
            throw;
        }

        Interlocked.Increment(ref _appended);
        Dispatch(new Item(seq, envelope, 0));
        return InboxAcceptance.Stored;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_inbox is null)
        {
            return;
        }

        // What a crash or stop left behind is applied first, in arrival order, before anything new.
        var recovered = 0;
        long after = 0;
        while (true)
        {
            var entries = await _inbox.ReadPendingAsync(after, 1000, cancellationToken);
            if (entries.Count == 0)
            {
                break;
            }

            foreach (var entry in entries)
            {
                after = entry.Seq;
                var parsed = WebhookParser.Parse(entry.Body);
                if (!parsed.IsSuccess)
                {
                    await _inbox.DeadLetterAsync(entry.Seq, "unparseable: " + parsed.Error, _time.GetUtcNow(), cancellationToken);
                    Interlocked.Increment(ref _deadLettered);
                    continue;
                }

                Interlocked.Increment(ref _pending);
                Dispatch(new Item(entry.Seq, parsed.Envelope!, entry.Attempts));
                recovered++;
            }
        }

        if (recovered > 0)
        {
            LogRecovered(recovered);
        }

        foreach (var lane in _lanes)
        {
            _workers.Add(Task.Run(() => RunLaneAsync(lane.Reader, _stopping.Token), CancellationToken.None));
        }

        _workers.Add(Task.Run(() => RunCompletionsAsync(_stopping.Token), CancellationToken.None));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_inbox is null)
        {
            return;
        }

        // Lanes finish the webhook in hand; what is still queued stays in the inbox file for the next start.
        foreach (var lane in _lanes)
        {
            lane.Writer.TryComplete();
        }

        await _stopping.CancelAsync();
        _completed.Writer.TryComplete();
        await Task.WhenAll(_workers).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void Dispatch(Item item)
    {
        var lane = _lanes[(int)((uint)StringComparer.Ordinal.GetHashCode(LaneKey(item.Envelope)) % (uint)_lanes.Length)];
        if (!lane.Writer.TryWrite(item))
        {
            // Stopping: the entry stays in the inbox file and is applied at the next start.
            Interlocked.Decrement(ref _pending);
        }
    }

    /// <summary>The customer the webhook is about (its first message's sender or first status's recipient), else the account.</summary>
    private static string LaneKey(WebhookEnvelope envelope)
    {
        foreach (var change in envelope.Changes)
        {
            if (change is MessagesChange messages)
            {
                if (messages.Messages.Count > 0)
                {
                    return messages.Messages[0].From ?? messages.Messages[0].FromUserId ?? messages.PhoneNumberId;
                }

                if (messages.Statuses.Count > 0)
                {
                    return messages.Statuses[0].RecipientId ?? messages.Statuses[0].RecipientUserId ?? messages.PhoneNumberId;
                }
            }

            return change.WabaId;
        }

        return string.Empty;
    }

    private async Task RunLaneAsync(ChannelReader<Item> lane, CancellationToken stopping)
    {
        try
        {
            await foreach (var item in lane.ReadAllAsync(stopping))
            {
                await ApplyAsync(item, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // stopping: unapplied entries stay in the inbox file
        }
    }

    private async Task ApplyAsync(Item item, CancellationToken stopping)
    {
        var attempts = item.Attempts;
        var backoff = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                await _ingestion.ApplyAsync(item.Envelope, stopping);
                _ledgerUnavailable = false;
                Interlocked.Increment(ref _applied);
                _completed.Writer.TryWrite(item.Seq);
                Interlocked.Decrement(ref _pending);
                return;
            }
            catch (StoreUnavailableException ex)
            {
                // Acknowledged to Meta: never dropped. New webhooks get 503 until the ledger answers again.
                if (!_ledgerUnavailable)
                {
                    LogLedgerUnavailable(ex);
                }

                _ledgerUnavailable = true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                attempts++;
                LogApplyFailed(item.Seq, attempts, ex.GetType().Name);
                await _inbox!.RecordAttemptAsync(item.Seq, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (attempts >= _options.MaxApplyAttempts)
                {
                    await _inbox.DeadLetterAsync(item.Seq, ex.GetType().Name + ": " + ex.Message, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    Interlocked.Increment(ref _deadLettered);
                    Interlocked.Decrement(ref _pending);
                    LogDeadLettered(item.Seq, attempts);
                    return;
                }
            }

            await Task.Delay(backoff, stopping);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    /// <summary>Removes applied entries from the inbox file in groups (a crash before that only means applying them again).</summary>
    private async Task RunCompletionsAsync(CancellationToken stopping)
    {
        var done = new List<long>(1024);
        var reader = _completed.Reader;
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                while (reader.TryRead(out var seq))
                {
                    done.Add(seq);
                }

                await FlushAsync(done);
                if (!stopping.IsCancellationRequested)
                {
                    await Task.Delay(CompletionInterval, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
        }
        finally
        {
            while (reader.TryRead(out var seq))
            {
                done.Add(seq);
            }

            await FlushAsync(done);
        }
    }

    private async Task FlushAsync(List<long> done)
    {
        if (done.Count == 0)
        {
            return;
        }

        try
        {
            await _inbox!.CompleteAsync(done.ToArray(), CancellationToken.None);
            done.Clear();
        }
        catch (StoreUnavailableException ex)
        {
            LogCompletionFailed(ex, done.Count); // kept; the next flush tries again
        }
    }

    public void Dispose()
    {
        // Registered as itself and as a hosted service: the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _inbox?.Dispose();
        _stopping.Dispose();
    }

    private sealed record Item(long Seq, WebhookEnvelope Envelope, int Attempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook inbox: {Count} acknowledged webhooks left from the last run are applied first")]
    private partial void LogRecovered(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook inbox: the ledger is unavailable; acknowledged webhooks wait and are retried, new ones get 503")]
    private partial void LogLedgerUnavailable(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook inbox: applying entry {Seq} failed with {Error} (attempt {Attempt})")]
    private partial void LogApplyFailed(long seq, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook inbox: entry {Seq} dead-lettered after {Attempts} attempts")]
    private partial void LogDeadLettered(long seq, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook inbox: removing {Count} applied entries failed; retried")]
    private partial void LogCompletionFailed(Exception ex, int count);
}
