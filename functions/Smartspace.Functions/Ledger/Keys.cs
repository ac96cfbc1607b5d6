using System.Globalization;

namespace Smartspace.Functions.Ledger;

/// <summary>
/// The store layout.
///
/// Table <c>ledger</c>, one partition per contact center (tenant): the agent directory (name, role), customer profiles
/// (names, numbers), conversation records, messages, the wamid dedupe/lookup rows, messages staged by the webhook until
/// the customer's entity places them, the queue index, the window-expiry index, the history index, the outbox, the audit
/// trail and the retention settings (LGPD). Who holds which conversation, each agent's capacity and availability, and each
/// customer's conversation in progress and 24 h window are Durable entities (one per agent, one per customer): they decide,
/// and the rows here are what they decided, written by the orchestrations' activities and the inbound placement.
///
/// Table <c>directory</c>: global look-ups (channel → tenant, WABA → tenant, tenants, leases).
/// </summary>
public static class Keys
{
    public const string LedgerTable = "ledger";
    public const string DirectoryTable = "directory";

    public const string ChannelPartition = "channel";
    public const string WabaPartition = "waba";
    public const string TenantPartition = "tenant";
    public const string LeasePartition = "lease";
    public const string AgentPartition = "agent";

    public static string Agent(string agentId) => "agent|" + agentId;
    public const string AgentPrefix = "agent|";
    public static string Reason(string id) => "reason|" + id;
    public const string ReasonPrefix = "reason|";
    public static string Channel(string channelId) => "channel|" + channelId;
    public const string ChannelPrefix = "channel|";
    public static string Template(string wabaId, string name, string language) => $"tpl|{wabaId}|{name}|{language}";
    public static string TemplatePrefix(string wabaId) => $"tpl|{wabaId}|";
    /// <summary>Marks that the last template sync of the account found an empty listing (awaiting a second one to confirm it).</summary>
    public static string TemplateListingEmpty(string wabaId) => $"tplempty|{wabaId}";
    public const string Settings = "settings";
    public static string Customer(string channelId, string customerKey) => $"cust|{channelId}|{Escape(customerKey)}";
    public static string Conversation(string conversationId) => "conv|" + Escape(conversationId);
    public const string ConversationPrefix = "conv|";
    public static string Message(string conversationId, long seq) => $"msg|{Escape(conversationId)}|{seq.ToString("D8", CultureInfo.InvariantCulture)}";
    public static string MessagePrefix(string conversationId) => $"msg|{Escape(conversationId)}|";
    /// <summary>Meta's wamids are standard base64 and may contain '/' and '+': escaped, since '/' is not allowed in a row key.</summary>
    public static string Wamid(string wamid) => "wamid|" + Escape(wamid);
    /// <summary>A customer message the webhook stored that its customer's entity has not placed in a conversation yet.</summary>
    public static string Staged(string wamid) => "staged|" + Escape(wamid);
    public const string StagedPrefix = "staged|";
    public static string Queue(DateTimeOffset enqueuedAt, string conversationId) => $"queue|{Ticks(enqueuedAt)}|{conversationId}";
    public const string QueuePrefix = "queue|";
    public static string WindowExpiry(DateTimeOffset closesAt, string channelId, string customerKey) => $"win|{Ticks(closesAt)}|{channelId}|{Escape(customerKey)}";
    public const string WindowExpiryPrefix = "win|";
    public static string WindowExpiryUpTo(DateTimeOffset now) => $"win|{Ticks(now)}|\uffff";
    public static string History(DateTimeOffset closedAt, string conversationId) => $"hist|{(DateTimeOffset.MaxValue.UtcTicks - closedAt.UtcTicks).ToString("D19", CultureInfo.InvariantCulture)}|{conversationId}";
    public const string HistoryPrefix = "hist|";
    public static string Outbox(string ourMessageId) => "outbox|" + Escape(ourMessageId);
    public const string OutboxPrefix = "outbox|";
    /// <summary>A customer's media still to fetch from Meta (issue 16): one row per message, gone once stored or given up.</summary>
    public static string MediaFetch(string conversationId, long seq) => $"mediafetch|{Escape(conversationId)}|{seq.ToString("D8", CultureInfo.InvariantCulture)}";
    public const string MediaFetchPrefix = "mediafetch|";

    /// <summary>
    /// The blob of a message's media: one folder per contact center, then the conversation (ids are hex; other
    /// characters are hex-escaped, so a name is always a valid blob name and distinct values never collide).
    /// </summary>
    public static string MediaBlob(string tenantId, string conversationId, string file) => $"{BlobPart(tenantId)}/{BlobPart(conversationId)}/{file}";

    /// <summary>The folder of a contact center's media.</summary>
    public static string MediaBlobFolder(string tenantId) => BlobPart(tenantId) + "/";

    private static string BlobPart(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? value
            : "x-" + Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(value)).ToLowerInvariant();

    /// <summary>The audit trail (LGPD): newest first, like the history index.</summary>
    public static string Audit(DateTimeOffset at, string id) => $"audit|{(DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture)}|{id}";
    public const string AuditPrefix = "audit|";
    /// <summary>The contact center's retention settings (LGPD).</summary>
    public const string PrivacySettings = "privacy";
    /// <summary>How far the retention timer has swept (LGPD).</summary>
    public const string RetentionWatermarks = "privacy|sweep";

    /// <summary>Our own id of an outbound message, also sent to Meta as <c>biz_opaque_callback_data</c>: it names the message row.</summary>
    public static string OurMessageId(string conversationId, long seq) => $"{conversationId}.{seq.ToString(CultureInfo.InvariantCulture)}";

    public static bool TryParseOurMessageId(string? value, out string conversationId, out long seq)
    {
        conversationId = "";
        seq = 0;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var dot = value.LastIndexOf('.');
        if (dot <= 0 || !long.TryParse(value.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out seq))
        {
            return false;
        }

        conversationId = value[..dot];
        return true;
    }

    /// <summary>
    /// Makes an outside value (a wamid, a BSUID) safe inside a row key: Table Storage forbids '/', '\', '#', '?' and
    /// control characters in keys, and '|' separates our key parts. Reversible (<see cref="Unescape"/>), so distinct
    /// values never collide.
    /// </summary>
    public static string Escape(string value)
    {
        if (!value.AsSpan().ContainsAny(Unsafe) && !value.Any(char.IsControl))
        {
            return value;
        }

        var builder = new System.Text.StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (Unsafe.Contains(c) || char.IsControl(c))
            {
                builder.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    public static string Unescape(string value) => value.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(value) : value;

    private static readonly System.Buffers.SearchValues<char> Unsafe = System.Buffers.SearchValues.Create("%/\\#?|");

    private static string Ticks(DateTimeOffset at) => at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);
}
