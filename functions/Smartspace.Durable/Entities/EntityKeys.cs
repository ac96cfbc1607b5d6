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

    /// <summary>The key's parts (tenant, then channel and customer, or agent).</summary>
    public static string[] Parts(string key) => key.Split('|').Select(Uri.UnescapeDataString).ToArray();

    private static string Escape(string value)
    {
        if (value.AsSpan().IndexOfAny("%|@") < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 6);
        foreach (var c in value)
        {
            if (c is '%' or '|' or '@')
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
