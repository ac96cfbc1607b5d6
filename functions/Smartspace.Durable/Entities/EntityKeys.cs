using System.Globalization;
using System.Text;
using Microsoft.DurableTask.Entities;

namespace Smartspace.Durable.Entities;

/// <summary>
/// Entity ids. Names are lower-case because the runtime lower-cases them; keys carry the contact center so tenants
/// never share an entity, with '|' separating parts (escaped inside values, so distinct values never collide).
/// </summary>
public static class EntityKeys
{
    public const string CustomerConversationName = "customerconversation";
    public const string AgentCapacityName = "agentcapacity";

    public static EntityInstanceId Customer(string tenantId, string channelId, string customerKey) =>
        new(CustomerConversationName, $"{Escape(tenantId)}|{Escape(channelId)}|{Escape(customerKey)}");

    public static EntityInstanceId Agent(string tenantId, string agentId) =>
        new(AgentCapacityName, $"{Escape(tenantId)}|{Escape(agentId)}");

    /// <summary>
    /// The instance id of the orchestration placing one customer message: from the tenant, channel and wamid, so the same
    /// message always gets the same id (escaped so ids never collide, and free of the characters Azure Storage keys refuse).
    /// </summary>
    public static string Placement(string tenantId, string channelId, string wamid) =>
        $"place|{Escape(tenantId)}|{Escape(channelId)}|{Escape(wamid)}";

    /// <summary>The key's parts (tenant, then channel and customer, or agent).</summary>
    public static string[] Parts(string key) => key.Split('|').Select(Uri.UnescapeDataString).ToArray();

    // '|' separates parts, '@' delimits entity instance ids, '%' escapes; '/', '\\', '#', '?' and control characters
    // are refused in Azure Storage table keys (instance ids are partition keys).
    private const string Escaped = "%|@/\\#?";

    private static string Escape(string value)
    {
        if (value.AsSpan().IndexOfAny(Escaped) < 0 && !value.Any(char.IsControl))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 6);
        foreach (var c in value)
        {
            if (Escaped.Contains(c) || char.IsControl(c))
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
}
