using System.Collections.Concurrent;
using System.Diagnostics;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;

namespace Smartspace.Testing;

/// <summary>
/// Inbound messages between the webhook's 200 and their placement. The webhook stores each new customer message as a
/// "staged" row in the ledger table (physical name: table prefix + <c>ledger</c>; RowKey <c>staged|…</c>, in the contact
/// center's partition) and signals the customer's Durable entity, which places it (conversation row, message row, agent
/// event) a few milliseconds later and deletes the staged row in the same batch. The entity's own state (the customer's
/// current conversation) is committed by the runtime only after that operation returns, and the signal's queue message is
/// deleted only after that commit. Tests that read a conversation right after posting a webhook wait here first.
/// </summary>
public static class StagedMessages
{
    /// <summary>The ledger's logical table name (Smartspace.Functions' <c>Keys.LedgerTable</c>).</summary>
    public const string LedgerTable = "ledger";

    /// <summary>Every staged RowKey is in ['staged|', 'staged}'): '}' is the character after '|'.</summary>
    public const string Filter = "RowKey ge 'staged|' and RowKey lt 'staged}'";

    /// <summary>How long <see cref="WaitPlacedAsync"/> waits unless told otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FirstPolls = TimeSpan.FromSeconds(1);
    private static readonly ConcurrentDictionary<(string ConnectionString, string Table), TableClient> Tables = new();
    private static readonly ConcurrentDictionary<string, QueueServiceClient> QueueServices = new();

    /// <summary>The ledger table's physical name for <paramref name="tablePrefix"/>.</summary>
    public static string TableName(string tablePrefix) => tablePrefix + LedgerTable;

    /// <summary>The staged rows still in the ledger table, in every partition, as "PartitionKey/RowKey"; none when the table does not exist yet.</summary>
    public static async Task<IReadOnlyList<string>> ListAsync(string connectionString, string tablePrefix, CancellationToken cancellationToken = default)
    {
        var table = Table(connectionString, tablePrefix);
        var staged = new List<string>();
        try
        {
            await foreach (var row in table.QueryAsync<TableEntity>(filter: Filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                staged.Add(row.PartitionKey + "/" + row.RowKey);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No ledger table: nothing was ever staged.
        }

        return staged;
    }

    /// <summary>
    /// The queues of <paramref name="taskHub"/> (its control queues and work-item queue) that still hold messages, as
    /// "name: count". DTFx deletes a message only after committing what it did (an entity's new state, an orchestration's
    /// history), and Azurite counts messages being processed too, so none means the task hub has nothing left to do. None
    /// when <paramref name="connectionString"/> names no queue service (a tables-only account) or the hub has no queues yet.
    /// </summary>
    public static async Task<IReadOnlyList<string>> BusyQueuesAsync(string connectionString, string taskHub, CancellationToken cancellationToken = default)
    {
        var service = QueueService(connectionString);
        if (service is null)
        {
            return [];
        }

        var busy = new List<string>();
        await foreach (var queue in service.GetQueuesAsync(prefix: taskHub.ToLowerInvariant() + "-", cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var count = (await service.GetQueueClient(queue.Name).GetPropertiesAsync(cancellationToken).ConfigureAwait(false)).Value.ApproximateMessagesCount;
                if (count > 0)
                {
                    busy.Add($"{queue.Name}: {count}");
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // deleted meanwhile (a test tearing its hub down)
            }
        }

        return busy;
    }

    /// <summary>
    /// Waits (bounded by <paramref name="timeout"/>, 30 s by default; polled every 25 ms for a second, then every 50 ms)
    /// until every message acknowledged so far is placed: no staged row is left in the ledger table of
    /// <paramref name="tablePrefix"/>, in any partition (a missing table counts as settled), the Durable task hub
    /// (<paramref name="taskHub"/>, by default the test hosts' <see cref="TestDurable.TaskHubFor"/> of the prefix, on the
    /// account of <paramref name="durableConnectionString"/>, by default the tables' one) has no message left, so the
    /// entities' new state is committed and the events of the placement are published, and <paramref name="idle"/> (work a
    /// host does in its own process, such as the queue routing a placement asks for) holds before and after those reads.
    /// All of it twice in a row, a poll apart, so work that one step hands to another is not missed between two reads.
    /// Throws <see cref="TimeoutException"/> listing what was still pending — a message the entities never placed is a
    /// failure, not a slow test.
    /// </summary>
    public static async Task WaitPlacedAsync(
        string connectionString,
        string tablePrefix,
        CancellationToken cancellationToken = default,
        TimeSpan? timeout = null,
        string? taskHub = null,
        string? durableConnectionString = null,
        Func<bool>? idle = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var hub = taskHub ?? TestDurable.TaskHubFor(tablePrefix);
        var clock = Stopwatch.StartNew();
        IReadOnlyList<string> staged = [];
        IReadOnlyList<string> busy = [];
        var hostIdle = true;
        var quietPolls = 0;
        Exception? lastError = null;
        while (true)
        {
            try
            {
                hostIdle = idle?.Invoke() ?? true;
                staged = await ListAsync(connectionString, tablePrefix, cancellationToken).ConfigureAwait(false);
                busy = staged.Count == 0 ? await BusyQueuesAsync(durableConnectionString ?? connectionString, hub, cancellationToken).ConfigureAwait(false) : [];
                hostIdle = hostIdle && (idle?.Invoke() ?? true);
                lastError = null;
                quietPolls = hostIdle && staged.Count == 0 && busy.Count == 0 ? quietPolls + 1 : 0;
                if (quietPolls == 2)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or IOException
                or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                lastError = ex; // the store is briefly unreachable (an outage test): ask again until the bound
                quietPolls = 0;
            }

            if (clock.Elapsed >= limit)
            {
                var what = lastError is not null
                    ? $"the ledger table {TableName(tablePrefix)} or task hub {hub} could not be read: {lastError.Message}"
                    : staged.Count > 0
                        ? $"{staged.Count} staged row(s) still in table {TableName(tablePrefix)}: {string.Join(", ", staged.Take(20))}{(staged.Count > 20 ? ", …" : "")}"
                        : busy.Count > 0
                            ? $"no staged row is left, but task hub {hub} still has work queued: {string.Join(", ", busy)}\n"
                                + await DescribeBusyQueuesAsync(durableConnectionString ?? connectionString, hub, CancellationToken.None).ConfigureAwait(false)
                            : "no staged row is left and the task hub is idle, but the host is still busy (its queue routing)";
                throw new TimeoutException($"Inbound messages were not placed within {limit.TotalSeconds:0.#} s after the webhook's 200: {what}", lastError);
            }

            await Task.Delay(clock.Elapsed < FirstPolls ? 25 : 50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// True when the task hub's queues hold messages but none is visible: after a host is killed, DTFx's Azure Storage
    /// provider returns a response that reached an orchestration before that orchestration's history checkpoint (the dead
    /// host sent it and died before saving) to its queue with a growing delay (its out-of-order handling), and such a
    /// message may stay hidden for minutes. Callers still check that no entity was left locked.
    /// </summary>
    public static async Task<bool> OnlyHiddenMessagesLeftAsync(string connectionString, string taskHub, CancellationToken cancellationToken = default)
    {
        var service = QueueService(connectionString);
        if (service is null)
        {
            return false;
        }

        var any = false;
        await foreach (var queue in service.GetQueuesAsync(prefix: taskHub.ToLowerInvariant() + "-", cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var client = service.GetQueueClient(queue.Name);
            if ((await client.GetPropertiesAsync(cancellationToken).ConfigureAwait(false)).Value.ApproximateMessagesCount == 0)
            {
                continue;
            }

            any = true;
            if ((await client.PeekMessagesAsync(1, cancellationToken).ConfigureAwait(false)).Value.Length > 0)
            {
                return false;
            }
        }

        return any;
    }

    /// <summary>What the busy queues of <paramref name="taskHub"/> hold: up to 3 visible messages of each, 400 characters of each (for failure messages).</summary>
    public static async Task<string> DescribeBusyQueuesAsync(string connectionString, string taskHub, CancellationToken cancellationToken = default)
    {
        var service = QueueService(connectionString);
        if (service is null)
        {
            return "";
        }

        var lines = new List<string>();
        try
        {
            await foreach (var queue in service.GetQueuesAsync(prefix: taskHub.ToLowerInvariant() + "-", cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var client = service.GetQueueClient(queue.Name);
                var count = (await client.GetPropertiesAsync(cancellationToken).ConfigureAwait(false)).Value.ApproximateMessagesCount;
                if (count == 0)
                {
                    continue;
                }

                var peeked = (await client.PeekMessagesAsync(3, cancellationToken).ConfigureAwait(false)).Value;
                lines.Add($"{queue.Name}: {count} message(s), {peeked.Length} visible"
                    + string.Concat(peeked.Select(m => $"\n  [{m.InsertedOn:HH:mm:ss.fff}, dequeued {m.DequeueCount}x] {Shorten(m.Body.ToString())}")));
            }
        }
        catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or IOException)
        {
            lines.Add("(the queues could not be read: " + ex.Message + ")");
        }

        return string.Join("\n", lines);
    }

    private static string Shorten(string text) => text.Length <= 400 ? text : text[..400] + "…";

    private static TableClient Table(string connectionString, string tablePrefix) =>
        Tables.GetOrAdd((connectionString, TableName(tablePrefix)), key =>
        {
            // No retries and a short timeout: the poll itself retries, and a failure should show quickly in it.
            var options = new TableClientOptions();
            options.Retry.MaxRetries = 0;
            options.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
            return new TableClient(key.ConnectionString, key.Table, options);
        });

    private static QueueServiceClient? QueueService(string connectionString)
    {
        // A tables-only connection string would send the queue client to the public cloud: no queue service, no check.
        if (!connectionString.Contains("QueueEndpoint=", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return QueueServices.GetOrAdd(connectionString, key =>
        {
            var options = new QueueClientOptions();
            options.Retry.MaxRetries = 0;
            options.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
            return new QueueServiceClient(key, options);
        });
    }
}
