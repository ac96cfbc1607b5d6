using System.Text.Json;

namespace Smartspace.FunctionApp.Tests.Infrastructure;

/// <summary>Meta-shaped webhook payloads (WhatsApp Cloud API <c>messages</c> field).</summary>
public static class WebhookPayloads
{
    public static string Text(string phoneNumberId, string from, string wamid, DateTimeOffset at, string body, string name) =>
        "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"200300400500600\",\"changes\":[{\"field\":\"messages\",\"value\":{"
        + "\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"551140001234\",\"phone_number_id\":\"" + phoneNumberId + "\"},"
        + "\"contacts\":[{\"profile\":{\"name\":" + JsonSerializer.Serialize(name) + "},\"wa_id\":\"" + from + "\"}],"
        + "\"messages\":[{\"from\":\"" + from + "\",\"id\":\"" + wamid + "\",\"timestamp\":\"" + at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)
        + "\",\"type\":\"text\",\"text\":{\"body\":" + JsonSerializer.Serialize(body) + "}}]}}]}]}";
}
