using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smartspace.Meta.Options;
using Smartspace.Meta.Signing;

namespace Smartspace.Meta.Sandbox;

/// <summary>One webhook of a sequence, posted <paramref name="DelayBefore"/> after the previous one.</summary>
internal sealed record SandboxWebhookStep(string Kind, TimeSpan DelayBefore, Func<byte[]> Body);

/// <summary>Webhooks for one message, posted in order (e.g. sent → delivered → read).</summary>
internal sealed record SandboxWebhookJob(Uri Url, IReadOnlyList<SandboxWebhookStep> Steps);

/// <summary>
/// Posts signed webhooks like Meta: <c>X-Hub-Signature-256</c> over the exact bytes, retried on non-2xx.
/// Status sequences run in the background after the triggering response has been sent, so a webhook
/// endpoint on the same host is never waited on by the request that caused it.
/// </summary>
internal sealed partial class SandboxWebhookDispatcher(
    IHttpClientFactory clients,
    IOptionsMonitor<MetaOptions> meta,
    IOptions<MetaSandboxOptions> options,
    MetaSandbox sandbox,
    TimeProvider time,
    ILogger<SandboxWebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "Smartspace.Meta.Sandbox.Webhooks";

    private readonly Channel<SandboxWebhookJob> queue = Channel.CreateUnbounded<SandboxWebhookJob>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(SandboxWebhookJob job) => queue.Writer.TryWrite(job);

    /// <summary>Signs and posts <paramref name="body"/>, retrying non-2xx; the last HTTP status, or null if none came.</summary>
    public async Task<int?> PostAsync(Uri url, string kind, byte[] body, CancellationToken cancellationToken)
    {
        var attempts = Math.Max(1, options.Value.WebhookAttempts);
        int? status = null;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            status = await PostOnceAsync(url, body, cancellationToken).ConfigureAwait(false);
            sandbox.Record(new SandboxWebhookDelivery(kind, url.ToString(), status, attempt, time.GetUtcNow()));
            if (status is >= 200 and < 300)
            {
                return status;
            }

            LogWebhookFailed(logger, kind, url, status, attempt);
            if (attempt < attempts)
            {
                await Task.Delay(options.Value.WebhookRetryDelay * attempt, cancellationToken).ConfigureAwait(false);
            }
        }

        return status;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new ConcurrentDictionary<Task, bool>();
        try
        {
            await foreach (var job in queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                var task = RunAsync(job, stoppingToken);
                running.TryAdd(task, true);
                _ = task.ContinueWith(t => running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }

        await Task.WhenAll(running.Keys).ConfigureAwait(false);
    }

    private async Task RunAsync(SandboxWebhookJob job, CancellationToken stoppingToken)
    {
        try
        {
            foreach (var step in job.Steps)
            {
                if (step.DelayBefore > TimeSpan.Zero)
                {
                    // Pacing only (not domain time): a plain delay keeps sequences moving under a fake clock.
                    await Task.Delay(step.DelayBefore, stoppingToken).ConfigureAwait(false);
                }

                await PostAsync(job.Url, step.Kind, step.Body(), stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
        catch (Exception ex)
        {
            LogSequenceFailed(logger, ex);
        }
    }

    private async Task<int?> PostOnceAsync(Uri url, byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var secret = meta.CurrentValue.AppSecret;
        if (!string.IsNullOrEmpty(secret))
        {
            request.Headers.TryAddWithoutValidation(MetaSignature.HeaderName, MetaSignature.Compute(secret, body));
        }

        request.Headers.UserAgent.ParseAdd("facebookexternalua");
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, cancellationToken).ConfigureAwait(false);
            return (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Sandbox webhook {Kind} to {Url} answered {Status} (try {Attempt})")]
    private static partial void LogWebhookFailed(ILogger logger, string kind, Uri url, int? status, int attempt);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Error, Message = "Sandbox webhook sequence failed")]
    private static partial void LogSequenceFailed(ILogger logger, Exception exception);
}
