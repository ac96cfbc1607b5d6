using System.Diagnostics.Metrics;

namespace Smartspace.Functions.Features.MetaWebhook;

/// <summary>Counters of what the webhook saw (exported through OpenTelemetry metrics, and readable in-process for tests and health).</summary>
public sealed class WebhookMetrics : IDisposable
{
    public const string MeterName = "Smartspace.Webhook";
    private readonly Meter meter = new(MeterName);
    private readonly Counter<long> messages;
    private readonly Counter<long> duplicates;
    private readonly Counter<long> statuses;
    private readonly Counter<long> unknownStatuses;
    private readonly Counter<long> unknownChannels;
    private readonly Counter<long> rejected;
    private long unknownChannelCount;
    private long unknownStatusCount;
    private long duplicateCount;

    public WebhookMetrics()
    {
        messages = meter.CreateCounter<long>("smartspace.webhook.messages", description: "Inbound customer messages stored");
        duplicates = meter.CreateCounter<long>("smartspace.webhook.duplicates", description: "Inbound messages already stored (Meta retries)");
        statuses = meter.CreateCounter<long>("smartspace.webhook.statuses", description: "Delivery statuses applied");
        unknownStatuses = meter.CreateCounter<long>("smartspace.webhook.statuses.unknown", description: "Statuses for messages we never sent (ignored)");
        unknownChannels = meter.CreateCounter<long>("smartspace.webhook.channels.unknown", description: "Changes for a phone_number_id that is no channel of ours");
        rejected = meter.CreateCounter<long>("smartspace.webhook.rejected", description: "Requests refused (signature, size, shape)");
    }

    public long UnknownChannelCount => Interlocked.Read(ref unknownChannelCount);
    public long UnknownStatusCount => Interlocked.Read(ref unknownStatusCount);
    public long DuplicateCount => Interlocked.Read(ref duplicateCount);

    public void Message() => messages.Add(1);
    public void Duplicate() { Interlocked.Increment(ref duplicateCount); duplicates.Add(1); }
    public void Status() => statuses.Add(1);
    public void UnknownStatus() { Interlocked.Increment(ref unknownStatusCount); unknownStatuses.Add(1); }
    public void UnknownChannel() { Interlocked.Increment(ref unknownChannelCount); unknownChannels.Add(1); }
    public void Rejected(string reason) => rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Dispose() => meter.Dispose();
}
