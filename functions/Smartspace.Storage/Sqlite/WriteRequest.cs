namespace Smartspace.Storage.Sqlite;

/// <summary>A batch queued for the writer; its task completes only after the commit that holds it returned.</summary>
internal sealed class WriteRequest(string? table, IReadOnlyList<EntityOperation>? operations, string?[]? properties, CancellationToken cancellationToken)
    : TaskCompletionSource<BatchResult>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    private static readonly BatchResult PingResult = BatchResult.Success(Array.Empty<string?>());

    public string? Table { get; } = table;
    /// <summary>Null for a ping (open the database, change nothing).</summary>
    public IReadOnlyList<EntityOperation>? Operations { get; } = operations;
    /// <summary>Serialized properties per operation (null for deletes), prepared on the caller's thread.</summary>
    public string?[]? Properties { get; } = properties;
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Set by the writer while the transaction is open; published after the commit.</summary>
    public BatchResult? Result { get; set; }
    public Exception? Error { get; set; }

    public static WriteRequest Ping(CancellationToken cancellationToken) => new(null, null, null, cancellationToken) { Result = PingResult };

    public static BatchResult PingSucceeded => PingResult;
}
