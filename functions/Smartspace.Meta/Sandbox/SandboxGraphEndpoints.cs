using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Smartspace.Core.Templates;
using Smartspace.Meta.Options;

namespace Smartspace.Meta.Sandbox;

/// <summary>The fake Graph API: <c>POST /{version}/{phone-number-id}/messages</c> and <c>GET /{version}/{waba-id}/message_templates</c>.</summary>
internal static class SandboxGraphEndpoints
{
    private const int DefaultPageSize = 25;
    private const int MaxPageSize = 100;

    public static async Task<IResult> SendMessageAsync(
        HttpContext context,
        string version,
        string phoneNumberId,
        MetaSandbox sandbox,
        SandboxMediaStore media,
        SandboxWebhookDispatcher dispatcher,
        IOptionsMonitor<MetaOptions> meta,
        IOptions<MetaSandboxOptions> options,
        TimeProvider time)
    {
        if (!IsAuthorized(context, meta.CurrentValue))
        {
            return InvalidToken();
        }

        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        var now = time.GetUtcNow();
        if (SandboxSendEvaluator.ReadReceipt(body) is { } receipt)
        {
            // Mark as read (optionally with the typing indicator): {"success": true}, recorded for the tests.
            if (receipt.Refused is { } bad)
            {
                return Graph(SandboxPayloads.GraphError(bad.Code, bad.Message, bad.Details), bad.HttpStatus);
            }

            media.Record(new SandboxReadReceipt(phoneNumberId, receipt.Wamid!, receipt.Typing, now));
            return Graph(new JsonObject { ["success"] = true }, StatusCodes.Status200OK);
        }

        var check = SandboxSendEvaluator.Evaluate(body, sandbox.FindTemplate, id => media.Find(id, now) is not null);
        var requestText = Encoding.UTF8.GetString(body);
        if (check is SandboxSendCheck.Refused refused)
        {
            sandbox.Record(new SandboxOutboundRecord(null, phoneNumberId, "", null, "unknown", null, null, null, null, false,
                "rejected", refused.Code, now, requestText));
            return Graph(SandboxPayloads.GraphError(refused.Code, refused.Message, refused.Details), refused.HttpStatus);
        }

        var valid = (SandboxSendCheck.Valid)check;
        var waId = sandbox.ResolveWaId(valid.ToDigits);
        var inside = sandbox.IsWindowOpen(phoneNumberId, valid.ToDigits, now);
        var wamid = SandboxWamid.New(waId, outbound: true);
        // Free-form messages (text, media, reactions) need the customer's window; templates do not (P4).
        var outsideWindowText = valid.Type != "template" && !inside;
        sandbox.Record(new SandboxOutboundRecord(wamid, phoneNumberId, valid.ToDigits, waId, valid.Type,
            valid.Text, valid.Template?.Name, valid.Template?.Language, valid.BizOpaque, inside,
            outsideWindowText ? "failed" : "accepted", outsideWindowText ? 131047 : null, now, requestText));

        var o = options.Value;
        var display = o.DisplayPhoneNumbers.GetValueOrDefault(phoneNumberId, o.DefaultDisplayPhoneNumber);
        // Nodes are built per webhook: a JsonNode can belong to one parent only.
        Func<string, Func<JsonObject?>, Func<JsonObject?>, Func<byte[]>> status = (name, pricing, error) => () =>
            SandboxPayloads.MessagesChange(o.WabaId, phoneNumberId, display, value =>
                value["statuses"] = new JsonArray(SandboxPayloads.Status(wamid, name, time.GetUtcNow(), waId, valid.BizOpaque, pricing(), error())));
        Func<JsonObject?> none = () => null;

        IReadOnlyList<SandboxWebhookStep> steps;
        if (outsideWindowText)
        {
            // Meta accepts the call, then reports the re-engagement failure asynchronously (reference §7).
            Func<JsonObject?> error = () => SandboxPayloads.Error(131047, "Re-engagement message",
                "Message failed to send because more than 24 hours have passed since the customer last replied to this number.");
            steps = [new SandboxWebhookStep("status:failed", o.StatusDelay, status("failed", none, error))];
        }
        else
        {
            Func<JsonObject?> pricing = () => Pricing(valid.Template, inside);
            steps =
            [
                new SandboxWebhookStep("status:sent", o.StatusDelay, status("sent", pricing, none)),
                new SandboxWebhookStep("status:delivered", o.StatusDelay, status("delivered", pricing, none)),
                new SandboxWebhookStep("status:read", o.StatusDelay, status("read", none, none)),
            ];
        }

        var job = new SandboxWebhookJob(WebhookUrl(context, meta.CurrentValue, o), steps);
        context.Response.OnCompleted(() =>
        {
            dispatcher.Enqueue(job);
            return Task.CompletedTask;
        });

        var message = new JsonObject { ["id"] = wamid };
        if (valid.Template is not null)
        {
            message["message_status"] = "accepted";
        }

        return Graph(new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["contacts"] = new JsonArray(new JsonObject { ["input"] = valid.ToInput, ["wa_id"] = waId }),
            ["messages"] = new JsonArray(message),
        }, StatusCodes.Status200OK);
    }

    public static IResult ListTemplates(HttpContext context, string version, string wabaId, MetaSandbox sandbox, IOptionsMonitor<MetaOptions> meta)
    {
        if (!IsAuthorized(context, meta.CurrentValue))
        {
            return InvalidToken();
        }

        var query = context.Request.Query;
        var limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, MaxPageSize) : DefaultPageSize;
        var start = DecodeCursor(query["after"]);
        var catalog = sandbox.Templates;
        start = Math.Clamp(start, 0, catalog.Count);
        var page = catalog.Skip(start).Take(limit).ToArray();

        var data = new JsonArray();
        foreach (var template in page)
        {
            using var buffer = new MemoryStream();
            using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
            {
                GraphTemplateJson.Write(writer, template);
            }

            data.Add(JsonNode.Parse(buffer.ToArray()));
        }

        var end = start + page.Length;
        var paging = new JsonObject
        {
            ["cursors"] = new JsonObject { ["before"] = EncodeCursor(start), ["after"] = EncodeCursor(end) },
        };
        if (end < catalog.Count)
        {
            var request = context.Request;
            var fields = query["fields"].ToString();
            paging["next"] = $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}?limit={limit}"
                + (fields.Length > 0 ? "&fields=" + Uri.EscapeDataString(fields) : "")
                + "&after=" + Uri.EscapeDataString(EncodeCursor(end));
        }

        return Graph(new JsonObject { ["data"] = data, ["paging"] = paging }, StatusCodes.Status200OK);
    }

    /// <summary>Where webhooks go: Meta:SandboxWebhookUrl, else this server's own webhook path.</summary>
    internal static Uri WebhookUrl(HttpContext context, MetaOptions meta, MetaSandboxOptions options)
    {
        if (!string.IsNullOrWhiteSpace(meta.SandboxWebhookUrl))
        {
            return new Uri(meta.SandboxWebhookUrl);
        }

        var addresses = context.RequestServices.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses;
        var local = addresses?.Select(Loopback).OrderBy(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? 0 : 1).FirstOrDefault();
        var root = local ?? $"{context.Request.Scheme}://{context.Request.Host}";
        return new Uri(root.TrimEnd('/') + options.WebhookPath);
    }

    internal static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }

    internal static IResult Graph(JsonNode node, int status) =>
        Results.Text(node.ToJsonString(SandboxPayloads.Json), "application/json", Encoding.UTF8, status);

    private static JsonObject? Pricing(MessageTemplate? template, bool insideWindow)
    {
        var category = template?.Category.ToLowerInvariant() ?? "service";
        var free = insideWindow && (template is null || category == "utility");
        return SandboxPayloads.Pricing(free ? "free_customer_service" : "regular", category);
    }

    internal static bool IsAuthorized(HttpContext context, MetaOptions meta)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        if (string.IsNullOrEmpty(meta.AccessToken) || !header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(header[bearer.Length..].Trim()), Encoding.UTF8.GetBytes(meta.AccessToken));
    }

    internal static IResult InvalidToken() =>
        Graph(SandboxPayloads.GraphError(190, "Invalid OAuth access token - Cannot parse access token", null), StatusCodes.Status401Unauthorized);

    private static string EncodeCursor(int index) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes("sandbox:" + index.ToString(CultureInfo.InvariantCulture)));

    private static int DecodeCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return 0;
        }

        try
        {
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(cursor));
            return text.StartsWith("sandbox:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : 0;
        }
        catch (FormatException)
        {
            return 0;
        }
    }

    private static string Loopback(string address)
    {
        foreach (var wildcard in new[] { "://+:", "://*:", "://0.0.0.0:", "://[::]:" })
        {
            address = address.Replace(wildcard, "://127.0.0.1:", StringComparison.Ordinal);
        }

        return address;
    }
}
