using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Smartspace.Realtime.Auth;
using Smartspace.Realtime.Options;

namespace Smartspace.Realtime.Publishing;

/// <summary>
/// Publishes through the Web PubSub data-plane REST API (api-version 2024-12-01) with a Bearer HS256
/// JWT whose <c>aud</c> is the full request URL — what the official SDK signs; Azure and the embedded
/// hub both accept it. Every call gives up after <see cref="RequestTimeout"/>: live events are best effort (clients
/// resync by version), and the webhook that publishes them must not wait on a slow service before answering Meta.
/// </summary>
public sealed class WebPubSubRestPublisher(IHttpClientFactory http, IOptions<WebPubSubOptions> options, TimeProvider time) : IRealtimePublisher
{
    public const string HttpClientName = "Smartspace.Realtime.Rest";

    public const string ApiVersion = "2024-12-01";
    private static readonly TimeSpan BearerLifetime = TimeSpan.FromMinutes(5);
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long one call may take (request and response) before it fails with <see cref="RealtimePublishException"/>.</summary>
    public TimeSpan RequestTimeout { get; init; } = DefaultRequestTimeout;

    public Task SendToUserAsync(string userId, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"users/{Escape(userId)}/:send", json, cancellationToken);

    public Task SendToGroupAsync(string group, ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"groups/{Escape(group)}/:send", json, cancellationToken);

    public Task AddUserToGroupAsync(string group, string userId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, $"users/{Escape(userId)}/groups/{Escape(group)}", null, cancellationToken);

    public Task RemoveUserFromGroupAsync(string group, string userId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"users/{Escape(userId)}/groups/{Escape(group)}", null, cancellationToken);

    private async Task SendAsync(HttpMethod method, string relative, ReadOnlyMemory<byte>? json, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var url = $"{o.Endpoint.TrimEnd('/')}/api/hubs/{Escape(o.Hub)}/{relative}?api-version={ApiVersion}";
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", HubJwt.Create(o.AccessKey, url, time.GetUtcNow(), BearerLifetime));
        if (json is { } body)
        {
            request.Content = new ReadOnlyMemoryContent(body);
            request.Content.Headers.ContentType = JsonType;
        }

        using var timeout = new CancellationTokenSource(RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await SendAndCheckAsync(request, $"{method} {relative}", linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new RealtimePublishException($"Web PubSub did not answer within {RequestTimeout.TotalSeconds:0.#} s.", 504, "Timeout");
        }
    }

    private async Task SendAndCheckAsync(HttpRequestMessage request, string what, CancellationToken cancellationToken)
    {
        using var response = await http.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var code = response.Headers.TryGetValues("x-ms-error-code", out var values) ? values.FirstOrDefault() : null;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        string? message = null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            message = doc.RootElement.TryGetProperty("message", out var m) ? m.GetString() : null;
        }
        catch (JsonException)
        {
        }

        throw new RealtimePublishException($"Web PubSub {what} failed with {(int)response.StatusCode}: {message ?? code ?? "no detail"}", (int)response.StatusCode, code);
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}
