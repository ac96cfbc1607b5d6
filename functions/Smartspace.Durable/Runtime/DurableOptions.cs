namespace Smartspace.Durable.Runtime;

/// <summary>
/// Section <c>Durable</c>: the local runtime (DTFx + Azure Storage provider on Azurite). In Azure the Functions host's
/// Durable extension reads host.json instead.
/// </summary>
public sealed class DurableOptions
{
    public const string SectionName = "Durable";

    /// <summary>
    /// The Function App runs the entities and orchestrations in its own process on this runtime (tests of the worker
    /// without the Functions host); off, as in Azure, the host's Durable extension runs them. The local host always does.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>Azure Storage connection string with blob, queue and table endpoints (Azurite locally).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Task hub name: 3–45 letters and digits, starting with a letter (it names queues, tables and a blob container).</summary>
    public string TaskHub { get; set; } = "smartspace";

    /// <summary>Control-queue partitions (1–16); instances and entities are spread over them by id.</summary>
    public int PartitionCount { get; set; } = 4;

    /// <summary>
    /// The longest an idle queue waits before it is polled again (DTFx's default is 30 s, which makes the first signal
    /// after a quiet spell up to 30 s late). Lower is faster after idling and costs Azurite CPU while idle.
    /// </summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long an interactive call waits for its orchestration's outcome before giving up (503).</summary>
    public TimeSpan CompletionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>This process's name among the workers of the task hub (empty: machine, process id and a random suffix).</summary>
    public string? WorkerId { get; set; }

    /// <summary>Every problem at once (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            errors.Add("Durable:ConnectionString (or Storage:TablesConnectionString) is required: an Azure Storage connection string with blob, queue and table endpoints.");
        }

        if (TaskHub.Length is < 3 or > 45 || !char.IsAsciiLetter(TaskHub[0]) || !TaskHub.All(char.IsAsciiLetterOrDigit))
        {
            errors.Add("Durable:TaskHub must be 3–45 letters and digits, starting with a letter.");
        }

        if (PartitionCount is < 1 or > 16)
        {
            errors.Add("Durable:PartitionCount must be between 1 and 16.");
        }

        if (MaxQueuePollingInterval <= TimeSpan.Zero || MaxQueuePollingInterval > TimeSpan.FromSeconds(30))
        {
            errors.Add("Durable:MaxQueuePollingInterval must be positive and at most 30 seconds.");
        }

        if (CompletionTimeout <= TimeSpan.Zero)
        {
            errors.Add("Durable:CompletionTimeout must be positive.");
        }

        return errors;
    }
}
