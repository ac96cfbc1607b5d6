using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Smartspace.Realtime.Events;

namespace Smartspace.Realtime.Tests.Support;

/// <summary>A receiving endpoint built on the same validator the handler uses; records every event.</summary>
internal sealed class FakeEventReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failuresLeft;

    private FakeEventReceiver(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public ConcurrentQueue<Received> Events { get; } = new();

    public int Options;

    public int Attempts;

    /// <summary>The next N POSTs answer 503.</summary>
    public int FailNext
    {
        set => Volatile.Write(ref _failuresLeft, value);
    }

    /// <summary>Answer for user events (status, content type, body).</summary>
    public (int Status, string? ContentType, string? Body) UserEventReply { get; set; } = (204, null, null);

    public static async Task<FakeEventReceiver> StartAsync(string key)
    {
        var port = HubHost.FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(baseUrl);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var receiver = new FakeEventReceiver(app, baseUrl + "/events");
        var validator = new WebPubSubEventValidator([key]);
        app.MapMethods("/events", ["OPTIONS", "POST"], async (HttpContext context) =>
        {
            if (validator.TryHandleAbuseProtection(context))
            {
                Interlocked.Increment(ref receiver.Options);
                return;
            }

            Interlocked.Increment(ref receiver.Attempts);
            if (Interlocked.Decrement(ref receiver._failuresLeft) >= 0)
            {
                context.Response.StatusCode = 503;
                return;
            }

            if (!WebPubSubEventRequest.TryParse(context.Request, out var request))
            {
                context.Response.StatusCode = 400;
                return;
            }

            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            receiver.Events.Enqueue(new Received(request, validator.IsValid(request), body, headers, context.Request.ContentType));
            if (request.IsUserEvent && receiver.UserEventReply is { Body: not null } reply)
            {
                context.Response.StatusCode = reply.Status;
                context.Response.ContentType = reply.ContentType;
                await context.Response.WriteAsync(reply.Body);
                return;
            }

            context.Response.StatusCode = 204;
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed record Received(WebPubSubEventRequest Request, bool SignatureValid, string Body, IReadOnlyDictionary<string, string> Headers, string? ContentType);
}
