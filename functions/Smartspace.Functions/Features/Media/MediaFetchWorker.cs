using System.Threading.Channels;
using Smartspace.Functions.Hosting;

namespace Smartspace.Functions.Features.Media;

/// <summary>Wakes the media fetcher after an inbound commit (in-process, never waited on); the sweep covers anything missed.</summary>
public interface IMediaFetchSignal
{
    void Notify(string tenantId, string conversationId, long seq);
}

public sealed class MediaFetchSignal : IMediaFetchSignal
{
    private readonly Channel<(string TenantId, string ConversationId, long Seq)> queue =
        Channel.CreateBounded<(string, string, long)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });

    public ChannelReader<(string TenantId, string ConversationId, long Seq)> Reader => queue.Reader;

    /// <summary>Never blocks: a full queue drops the oldest wake-up (its row stays; the sweep fetches it).</summary>
    public void Notify(string tenantId, string conversationId, long seq) => queue.Writer.TryWrite((tenantId, conversationId, seq));
}

/// <summary>
/// Fetches each signalled media right after its message was stored, off the webhook's path: the webhook answered 200
/// before this runs. At most <see cref="InboundMediaFetcher.MaxConcurrentFetches"/> fetches run at once, so a burst of
/// media (or a hung Graph download) never holds more than those.
/// </summary>
public sealed partial class MediaFetchWorker(MediaFetchSignal signal, InboundMediaFetcher fetcher, ILogger<MediaFetchWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        SignalLoop.RunAsync(signal.Reader, (s, ct) => FetchAsync(s.TenantId, s.ConversationId, s.Seq, ct), stoppingToken);

    private async Task FetchAsync(string tenantId, string conversationId, long seq, CancellationToken ct)
    {
        await Task.Yield();
        try
        {
            await fetcher.FetchAsync(tenantId, conversationId, seq, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogFetchFailed(ex, conversationId, seq);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetching the media of {ConversationId}.{Seq} failed; the sweep will retry")]
    private partial void LogFetchFailed(Exception ex, string conversationId, long seq);
}
