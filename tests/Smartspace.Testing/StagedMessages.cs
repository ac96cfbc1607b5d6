using System.Collections.Concurrent;
using System.Diagnostics;
using Azure;
using Azure.Data.Tables;

namespace Smartspace.Testing;

/// <summary>
/// Inbound messages between the webhook's 200 and their placement. The webhook stores each new customer message as a
/// "staged" row in the ledger table (physical name: table prefix + <c>ledger</c>; RowKey <c>staged|…</c>, in the contact
/// center's partition) and signals the customer's Durable entity, which places it (conversation row, message row, agent
/// event) a few milliseconds later and deletes the staged row in the same batch. Tests that read a conversation right
/// after posting a webhook wait here first.
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
    private static readonly ConcurrentDictionary<(string ConnectionString, string Table), TableClient> Clients = new();

    /// <summary>The ledger table's physical name for <paramref name="tablePrefix"/>.</summary>
    public static string TableName(string tablePrefix) => tablePrefix + LedgerTable;

    /// <summary>The staged rows still in the ledger table, in every partition, as "PartitionKey/RowKey"; none when the table does not exist yet.</summary>
    public static async Task<IReadOnlyList<string>> ListAsync(string connectionString, string tablePrefix, CancellationToken cancellationToken = default)
    {
        var table = Client(connectionString, tablePrefix);
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
    /// Waits (bounded by <paramref name="timeout"/>, 30 s by default; polled every 25 ms for a second, then every 50 ms)
    /// until no staged row is left in the ledger table of <paramref name="tablePrefix"/>, in any partition: every message
    /// acknowledged so far is placed. A missing table counts as settled. Throws <see cref="TimeoutException"/> listing
    /// the staged rows still there — a message the entities never placed is a failure, not a slow test.
    /// </summary>
    public static async Task WaitPlacedAsync(string connectionString, string tablePrefix, CancellationToken cancellationToken = default, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        IReadOnlyList<string> staged = [];
        Exception? lastError = null;
        while (true)
        {
            try
            {
                staged = await ListAsync(connectionString, tablePrefix, cancellationToken).ConfigureAwait(false);
                lastError = null;
                if (staged.Count == 0)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or IOException
                or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                lastError = ex; // the store is briefly unreachable (an outage test): ask again until the bound
            }

            if (clock.Elapsed >= limit)
            {
                var what = lastError is null
                    ? $"{staged.Count} staged row(s) still in table {TableName(tablePrefix)}: {string.Join(", ", staged.Take(20))}{(staged.Count > 20 ? ", …" : "")}"
                    : $"the ledger table {TableName(tablePrefix)} could not be read: {lastError.Message}";
                throw new TimeoutException($"Inbound messages were not placed within {limit.TotalSeconds:0.#} s after the webhook's 200: {what}", lastError);
            }

            await Task.Delay(clock.Elapsed < FirstPolls ? 25 : 50, cancellationToken).ConfigureAwait(false);
        }
    }

    private static TableClient Client(string connectionString, string tablePrefix) =>
        Clients.GetOrAdd((connectionString, TableName(tablePrefix)), key =>
        {
            // No retries and a short timeout: the poll itself retries, and a failure should show quickly in it.
            var options = new TableClientOptions();
            options.Retry.MaxRetries = 0;
            options.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
            return new TableClient(key.ConnectionString, key.Table, options);
        });
}
