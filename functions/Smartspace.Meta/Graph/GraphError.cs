using System.Text.Json;

namespace Smartspace.Meta.Graph;

/// <summary>A Graph API error body: <c>{"error":{"message","type","code","error_data":{"details"},"fbtrace_id"}}</c>.</summary>
internal sealed record GraphError(int? Code, string? Message, string? Details, string? FbTraceId)
{
    public static GraphError? TryParse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(body.ToArray());
            if (!doc.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            int? code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var n) ? n : null;
            var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            string? details = null;
            if (error.TryGetProperty("error_data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.String)
            {
                details = d.GetString();
            }

            var trace = error.TryGetProperty("fbtrace_id", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            return new GraphError(code, message, details, trace);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
