using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Smartspace.Core.Templates;

namespace Smartspace.Meta.Sandbox;

/// <summary>Builds Meta-shaped webhook bodies (reference §4–8). Text is written as raw UTF-8 (accents, emoji).</summary>
internal static class SandboxPayloads
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string UnixSeconds(DateTimeOffset at) => at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public static byte[] MessagesChange(string wabaId, string phoneNumberId, string displayPhoneNumber, Action<JsonObject> fillValue)
    {
        var value = new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["metadata"] = new JsonObject
            {
                ["display_phone_number"] = displayPhoneNumber,
                ["phone_number_id"] = phoneNumberId,
            },
        };
        fillValue(value);
        return Envelope(wabaId, null, "messages", value);
    }

    public static JsonObject Status(
        string wamid, string status, DateTimeOffset at, string recipientId, string? bizOpaque, JsonObject? pricing, JsonObject? error)
    {
        var node = new JsonObject
        {
            ["id"] = wamid,
            ["status"] = status,
            ["timestamp"] = UnixSeconds(at),
            ["recipient_id"] = recipientId,
        };
        if (bizOpaque is not null)
        {
            node["biz_opaque_callback_data"] = bizOpaque;
        }

        if (pricing is not null)
        {
            node["pricing"] = pricing;
        }

        if (error is not null)
        {
            node["errors"] = new JsonArray(error);
        }

        return node;
    }

    public static JsonObject Pricing(string type, string category) => new()
    {
        ["billable"] = type == "regular",
        ["pricing_model"] = "PMP",
        ["type"] = type,
        ["category"] = category,
    };

    /// <summary>The <c>{code,title,message,error_data:{details},href}</c> error object of webhooks.</summary>
    public static JsonObject Error(int code, string title, string details) => new()
    {
        ["code"] = code,
        ["title"] = title,
        ["message"] = title,
        ["error_data"] = new JsonObject { ["details"] = details },
        ["href"] = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
    };

    public static byte[] TemplateStatusUpdate(string wabaId, DateTimeOffset at, MessageTemplate template, string reason)
    {
        JsonNode id = long.TryParse(template.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var numeric)
            ? JsonValue.Create(numeric)
            : JsonValue.Create(template.Id);
        var value = new JsonObject
        {
            ["event"] = TemplateStatusNames.ToMetaName(template.Status),
            ["message_template_id"] = id,
            ["message_template_name"] = template.Name,
            ["message_template_language"] = template.Language,
            ["reason"] = reason,
            ["message_template_category"] = template.Category,
        };
        return Envelope(wabaId, at.ToUnixTimeSeconds(), "message_template_status_update", value);
    }

    /// <summary>The Graph error answer of a refused API call.</summary>
    public static JsonObject GraphError(int code, string message, string? details, string type = "OAuthException")
    {
        var error = new JsonObject
        {
            ["message"] = $"(#{code.ToString(CultureInfo.InvariantCulture)}) {message}",
            ["type"] = type,
            ["code"] = code,
        };
        if (details is not null)
        {
            error["error_data"] = new JsonObject { ["messaging_product"] = "whatsapp", ["details"] = details };
        }

        error["fbtrace_id"] = "A" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(11));
        return new JsonObject { ["error"] = error };
    }

    public static byte[] ToBytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString(Json));

    private static byte[] Envelope(string wabaId, long? time, string field, JsonObject value)
    {
        var entry = new JsonObject { ["id"] = wabaId };
        if (time is not null)
        {
            entry["time"] = time.Value;
        }

        entry["changes"] = new JsonArray(new JsonObject { ["value"] = value, ["field"] = field });
        return ToBytes(new JsonObject
        {
            ["object"] = "whatsapp_business_account",
            ["entry"] = new JsonArray(entry),
        });
    }
}
