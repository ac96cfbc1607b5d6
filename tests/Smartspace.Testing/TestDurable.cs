using System.Security.Cryptography;
using System.Text;

namespace Smartspace.Testing;

/// <summary>
/// The <c>Durable</c> settings of a test host. Every local host runs a Durable runtime (DTFx + Azure Storage provider) in
/// its process, on the tables' Azurite account unless <c>Durable:ConnectionString</c> says otherwise; test hosts keep apart
/// by task hub exactly as they keep apart by table prefix. The task hub is derived from the table prefix, so hosts that
/// share a store on purpose (the same prefix: multi-process, crash and dedupe tests) share its task hub too, and no host
/// ever takes another store's signals.
/// </summary>
public static class TestDurable
{
    /// <summary>One control queue to poll (tests that need several partitions set their own).</summary>
    public const int PartitionCount = 1;

    /// <summary>An idle queue is polled again within 100 ms, so a signal after a quiet spell is not seconds late.</summary>
    public const string MaxQueuePollingInterval = "00:00:00.100";

    private const int MaxTaskHubLength = 45;

    /// <summary>
    /// The task hub of the store with table prefix <paramref name="tablePrefix"/>: "hub" + its letters and digits in
    /// lower case (a valid name: 3–45 letters and digits, starting with a letter; DTFx lower-cases it for its queues and
    /// containers anyway). A prefix too long for that ends in a hash of the whole prefix instead.
    /// </summary>
    public static string TaskHubFor(string tablePrefix)
    {
        ArgumentNullException.ThrowIfNull(tablePrefix);
        var clean = new string(tablePrefix.Where(char.IsAsciiLetterOrDigit).ToArray()).ToLowerInvariant();
        var hub = "hub" + clean;
        if (hub.Length <= MaxTaskHubLength)
        {
            return hub;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tablePrefix.ToLowerInvariant())))[..8];
        return hub[..(MaxTaskHubLength - hash.Length)] + hash;
    }

    /// <summary>
    /// <c>Durable:TaskHub</c> (<see cref="TaskHubFor"/>), <c>Durable:PartitionCount</c> and
    /// <c>Durable:MaxQueuePollingInterval</c>, with the keys' parts joined by <paramref name="separator"/>: ":" for
    /// configuration, "__" for environment variables.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Settings(string tablePrefix, string separator = ":") => new Dictionary<string, string>
    {
        ["Durable" + separator + "TaskHub"] = TaskHubFor(tablePrefix),
        ["Durable" + separator + "PartitionCount"] = PartitionCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Durable" + separator + "MaxQueuePollingInterval"] = MaxQueuePollingInterval,
    };
}
