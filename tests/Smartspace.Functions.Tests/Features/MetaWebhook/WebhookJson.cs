using System.Globalization;
using System.Text.Json;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.MetaWebhook;

/// <summary>
/// Webhook bodies in Meta's documented shapes (reference §4–§6, §8), composable so one POST can carry
/// several entries, changes, messages and statuses.
/// </summary>
public static class WebhookJson
{
    public const string WabaId = "200300400500600";

    public static string Envelope(params string[] entries) =>
        "{\"object\":\"whatsapp_business_account\",\"entry\":[" + string.Join(",", entries) + "]}";

    public static string Entry(string wabaId, params string[] changes) =>
        "{\"id\":\"" + wabaId + "\",\"changes\":[" + string.Join(",", changes) + "]}";

    public static string MessagesChange(string phoneNumberId, IEnumerable<string>? contacts = null, IEnumerable<string>? messages = null, IEnumerable<string>? statuses = null)
    {
        var parts = new List<string>
        {
            "\"messaging_product\":\"whatsapp\"",
            "\"metadata\":{\"display_phone_number\":\"551140001234\",\"phone_number_id\":\"" + phoneNumberId + "\"}",
        };
        if (contacts is not null)
        {
            parts.Add("\"contacts\":[" + string.Join(",", contacts) + "]");
        }

        if (messages is not null)
        {
            parts.Add("\"messages\":[" + string.Join(",", messages) + "]");
        }

        if (statuses is not null)
        {
            parts.Add("\"statuses\":[" + string.Join(",", statuses) + "]");
        }

        return "{\"value\":{" + string.Join(",", parts) + "},\"field\":\"messages\"}";
    }

    public static string Contact(string waId, string name, string? userId = null) =>
        "{\"profile\":{\"name\":" + JsonSerializer.Serialize(name) + "},\"wa_id\":\"" + waId + "\",\"user_id\":\"" + (userId ?? "BR." + waId) + "\"}";

    /// <summary>A <c>messages[]</c> item: common keys plus the type-specific part (e.g. <c>"text":{"body":"Oi"}</c>).</summary>
    public static string Message(string from, string wamid, DateTimeOffset at, string type, string typePart, string? userId = null) =>
        "{\"from\":\"" + from + "\",\"from_user_id\":\"" + (userId ?? "BR." + from) + "\",\"id\":\"" + wamid + "\",\"timestamp\":\"" + Seconds(at) + "\",\"type\":\"" + type + "\"" +
        (typePart.Length == 0 ? "" : "," + typePart) + "}";

    public static string TextMessage(string from, string wamid, DateTimeOffset at, string body) =>
        Message(from, wamid, at, "text", "\"text\":{\"body\":" + JsonSerializer.Serialize(body) + "}");

    /// <summary>A <c>statuses[]</c> item; <paramref name="ourMessageId"/> becomes <c>biz_opaque_callback_data</c>.</summary>
    public static string Status(string wamid, string status, DateTimeOffset at, string recipient, string? ourMessageId = null, string? errorsJson = null)
    {
        var pricing = status is "sent" or "delivered"
            ? ",\"pricing\":{\"billable\":true,\"pricing_model\":\"PMP\",\"type\":\"regular\",\"category\":\"utility\"}"
            : "";
        return "{\"id\":\"" + wamid + "\",\"status\":\"" + status + "\",\"timestamp\":\"" + Seconds(at) + "\",\"recipient_id\":\"" + recipient + "\",\"recipient_user_id\":\"BR." + recipient + "\"" +
            (ourMessageId is null ? "" : ",\"biz_opaque_callback_data\":\"" + ourMessageId + "\"") +
            pricing +
            (errorsJson is null ? "" : ",\"errors\":" + errorsJson) + "}";
    }

    /// <summary>Meta's documented async 131047 failure.</summary>
    public const string Reengagement131047 =
        "[{\"code\":131047,\"title\":\"Re-engagement message\",\"message\":\"Re-engagement message\",\"error_data\":{\"details\":\"Message failed to send because more than 24 hours have passed since the customer last replied to this number.\"},\"href\":\"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/\"}]";

    /// <summary>One message from one customer on the demo channel.</summary>
    public static string SingleMessage(string from, string messageItem, string name = "Maria Cliente", string phoneNumberId = HandlerFactory.ChannelId) =>
        Envelope(Entry(WabaId, MessagesChange(phoneNumberId, [Contact(from, name)], [messageItem])));

    public static string SingleStatus(string statusItem, string phoneNumberId = HandlerFactory.ChannelId) =>
        Envelope(Entry(WabaId, MessagesChange(phoneNumberId, statuses: [statusItem])));

    public static string TemplateStatus(string templateName, string @event, string language = "pt_BR", string wabaId = WabaId) =>
        Envelope("{\"id\":\"" + wabaId + "\",\"time\":1751247548,\"changes\":[{\"field\":\"message_template_status_update\",\"value\":{" +
            "\"event\":\"" + @event + "\",\"message_template_id\":900000000000001,\"message_template_name\":\"" + templateName + "\"," +
            "\"message_template_language\":\"" + language + "\",\"reason\":\"NONE\",\"message_template_category\":\"UTILITY\"}}]}");

    private static string Seconds(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
