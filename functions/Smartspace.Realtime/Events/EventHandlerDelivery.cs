using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smartspace.Realtime.Hub;
using Smartspace.Realtime.Options;

namespace Smartspace.Realtime.Events;

/// <summary>
/// Delivers the embedded hub's events to <see cref="WebPubSubOptions.EventHandlerUrl"/> as CloudEvents
/// in binary mode, like the service: abuse-protection <c>OPTIONS</c> first, then one POST per event,
/// retried after 1, 3 and 5 s on 408/429/5xx or a network error. Deliveries for one connection run in
/// order (connected before disconnected), each off the socket loop.
/// </summary>
internal sealed partial class EventHandlerDelivery : IHubEventSink
{
    public const string HttpClientName = "Smartspace.Realtime.EventHandler";
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5)];
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    private readonly IHttpClientFactory _http;
    private readonly TimeProvider _time;
    private readonly ILogger<EventHandlerDelivery> _logger;
    private readonly Uri _url;
    private readonly string _key;
    private readonly string _origin;
    private readonly SemaphoreSlim _validation = new(1, 1);
    private bool _validated;
    private long _eventId;

    public EventHandlerDelivery(IHttpClientFactory http, IOptions<WebPubSubOptions> options, TimeProvider time, ILogger<EventHandlerDelivery> logger)
    {
        _http = http;
        _time = time;
        _logger = logger;
        _url = new Uri(options.Value.EventHandlerUrl);
        _key = options.Value.AccessKey;
        _origin = Uri.TryCreate(options.Value.Endpoint, UriKind.Absolute, out var e) ? e.Host : "localhost";
    }

    public void Connected(ClientSession session) =>
        _ = Enqueue(session, () => PostAsync(session, WebPubSubEventRequest.ConnectedType, "connected", "{}"u8.ToArray(), "application/json"));

    public void Disconnected(ClientSession session, string reason) =>
        _ = Enqueue(session, () => PostAsync(session, WebPubSubEventRequest.DisconnectedType, "disconnected", JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["reason"] = reason }), "application/json"));

    public Task<UserEventResult> UserEventAsync(ClientSession session, string eventName, MessagePayload payload) =>
        Enqueue(session, () => PostAsync(session, WebPubSubEventRequest.UserEventPrefix + eventName, eventName, payload.Raw, payload.ContentType));

    private Task<UserEventResult> Enqueue(ClientSession session, Func<Task<UserEventResult>> work)
    {
        lock (session.Sync)
        {
            var next = session.EventTail.ContinueWith(_ => work(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            session.EventTail = next;
            return next;
        }
    }

    private async Task<UserEventResult> PostAsync(ClientSession session, string type, string eventName, byte[] body, string contentType)
    {
        try
        {
            if (!await EnsureValidatedAsync())
            {
                return new UserEventResult(false);
            }

            var id = Interlocked.Increment(ref _eventId).ToString(CultureInfo.InvariantCulture);
            for (var attempt = 0; ; attempt++)
            {
                HttpStatusCode? status = null;
                try
                {
                    using var request = BuildRequest(session, type, eventName, id, body, contentType);
                    using var timeout = new CancellationTokenSource(AttemptTimeout, _time);
                    using var response = await _http.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
                    status = response.StatusCode;
                    if (response.IsSuccessStatusCode)
                    {
                        return await ReplyAsync(response);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                {
                    LogAttemptFailed(_logger, type, session.ConnectionId, attempt + 1, e.Message);
                }

                var retryable = status is null or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;
                if (!retryable || attempt >= RetryDelays.Length)
                {
                    LogGaveUp(_logger, type, session.ConnectionId, status is { } s ? (int)s : 0);
                    return new UserEventResult(false);
                }

                await Task.Delay(RetryDelays[attempt], _time);
            }
        }
        catch (Exception e)
        {
            LogGaveUp(_logger, type, session.ConnectionId, 0);
            LogUnexpected(_logger, e);
            return new UserEventResult(false);
        }
    }

    private HttpRequestMessage BuildRequest(ClientSession session, string type, string eventName, string id, byte[] body, string contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var h = request.Headers;
        h.TryAddWithoutValidation("ce-specversion", "1.0");
        h.TryAddWithoutValidation("ce-type", type);
        h.TryAddWithoutValidation("ce-source", "/hubs/" + session.Hub + "/client/" + session.ConnectionId);
        h.TryAddWithoutValidation("ce-id", id);
        h.TryAddWithoutValidation("ce-time", _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        if (session.UserId is { } user)
        {
            h.TryAddWithoutValidation("ce-userId", user);
        }

        h.TryAddWithoutValidation("ce-connectionId", session.ConnectionId);
        h.TryAddWithoutValidation("ce-hub", session.Hub);
        h.TryAddWithoutValidation("ce-eventName", eventName);
        if (ClientProtocols.NameOf(session.Protocol) is { } subprotocol)
        {
            h.TryAddWithoutValidation("ce-subprotocol", subprotocol);
        }

        h.TryAddWithoutValidation("ce-signature", WebPubSubEventValidator.ComputeSignature(_key, session.ConnectionId));
        return request;
    }

    /// <summary>A 200 with a body is sent back to the client (Content-Type decides the dataType).</summary>
    private static async Task<UserEventResult> ReplyAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (response.StatusCode != HttpStatusCode.OK || bytes.Length == 0)
        {
            return UserEventResult.Ok;
        }

        try
        {
            var reply = MessagePayload.FromContent(response.Content.Headers.ContentType?.MediaType, bytes)
                ?? MessagePayload.Text(Encoding.UTF8.GetString(bytes));
            return new UserEventResult(true, reply);
        }
        catch (JsonException)
        {
            return UserEventResult.Ok;
        }
    }

    /// <summary>The abuse-protection handshake, once; retried on the next event when it failed.</summary>
    private async Task<bool> EnsureValidatedAsync()
    {
        if (Volatile.Read(ref _validated))
        {
            return true;
        }

        await _validation.WaitAsync();
        try
        {
            if (_validated)
            {
                return true;
            }

            using var request = new HttpRequestMessage(HttpMethod.Options, _url);
            request.Headers.TryAddWithoutValidation("WebHook-Request-Origin", _origin);
            using var timeout = new CancellationTokenSource(AttemptTimeout, _time);
            using var response = await _http.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            var allowed = response.Headers.TryGetValues("WebHook-Allowed-Origin", out var values) ? values.ToList() : [];
            _validated = response.IsSuccessStatusCode && allowed.Any(v => v == "*" || string.Equals(v, _origin, StringComparison.OrdinalIgnoreCase));
            if (!_validated)
            {
                LogValidationFailed(_logger, _url.ToString(), (int)response.StatusCode);
            }

            return _validated;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            LogValidationFailed(_logger, _url.ToString(), 0);
            return false;
        }
        finally
        {
            _validation.Release();
        }
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Debug, Message = "Event {Type} for {ConnectionId}: attempt {Attempt} failed: {Error}")]
    private static partial void LogAttemptFailed(ILogger logger, string type, string connectionId, int attempt, string error);

    [LoggerMessage(EventId = 121, Level = LogLevel.Warning, Message = "Event {Type} for {ConnectionId} was not delivered (last status {Status})")]
    private static partial void LogGaveUp(ILogger logger, string type, string connectionId, int status);

    [LoggerMessage(EventId = 122, Level = LogLevel.Warning, Message = "Event handler {Url} failed the abuse-protection handshake (status {Status}); events are not delivered")]
    private static partial void LogValidationFailed(ILogger logger, string url, int status);

    [LoggerMessage(EventId = 123, Level = LogLevel.Error, Message = "Unexpected error delivering an event")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);
}
