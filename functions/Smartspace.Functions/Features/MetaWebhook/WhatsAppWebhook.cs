using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Smartspace.Core.Meta;
using Smartspace.Core.Phones;
using Smartspace.Core.Templates;
using Smartspace.Functions.Features.Templates;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Meta.Options;
using Smartspace.Meta.Signing;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.MetaWebhook;

/// <summary>
/// The <c>whatsapp-webhook</c> function at <c>/api/whatsapp/webhook</c>. GET is Meta's verification (P1).
/// POST (P2): the HMAC-SHA256 of the raw bytes is checked in constant time before anything is parsed;
/// the whole envelope is parsed and its shape checked; then every message, status and template change is
/// applied to Table Storage before the answer: 200 means durable, and anything not made durable is answered 503
/// and retried by Meta (P3).
/// </summary>
public static partial class WhatsAppWebhook
{
    public const string Route = "/api/whatsapp/webhook";
    public const int MaxBodyBytes = 3 * 1024 * 1024;
    private const string StoreUnavailable = "The store is unavailable; Meta will retry.";

    public static void MapWhatsAppWebhook(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Route, Verify).WithTags("meta").AllowAnonymous();
        endpoints.MapPost(Route, ReceiveAsync).WithTags("meta").AllowAnonymous();
    }

    /// <summary>P1: echo hub.challenge as plain text when the mode is subscribe and the token matches; 403 otherwise.</summary>
    public static IResult Verify(HttpRequest request, IOptions<MetaOptions> options)
    {
        var mode = request.Query["hub.mode"].ToString();
        var token = request.Query["hub.verify_token"].ToString();
        var challenge = request.Query["hub.challenge"].ToString();
        var expected = options.Value.VerifyToken;
        if (mode == "subscribe" && !string.IsNullOrEmpty(expected) && !string.IsNullOrEmpty(challenge) && FixedTimeEquals(token, expected))
        {
            return Results.Text(challenge, "text/plain", Encoding.UTF8);
        }

        return Refuse(StatusCodes.Status403Forbidden, "verification_failed", "hub.mode must be subscribe, hub.challenge present and hub.verify_token the configured one.");
    }

    public static async Task<IResult> ReceiveAsync(HttpContext context, IOptions<MetaOptions> options, WebhookIngestion ingestion, WebhookMetrics metrics, CancellationToken ct)
    {
        var secret = options.Value.AppSecret;
        if (string.IsNullOrEmpty(secret))
        {
            metrics.Rejected("no_app_secret");
            return Refuse(StatusCodes.Status401Unauthorized, "webhook_not_configured", "The webhook has no app secret configured and refuses every request.");
        }

        if (context.Request.ContentLength > MaxBodyBytes)
        {
            metrics.Rejected("too_large");
            return Refuse(StatusCodes.Status413PayloadTooLarge, "payload_too_large", $"The body is larger than {MaxBodyBytes} bytes.");
        }

        var body = await ReadBoundedAsync(context.Request.Body, context.Request.ContentLength, MaxBodyBytes, ct);
        if (body is null)
        {
            metrics.Rejected("too_large");
            return Refuse(StatusCodes.Status413PayloadTooLarge, "payload_too_large", $"The body is larger than {MaxBodyBytes} bytes.");
        }

        if (!MetaSignature.Verify(secret, body, context.Request.Headers["X-Hub-Signature-256"].ToString()))
        {
            metrics.Rejected("signature");
            return Refuse(StatusCodes.Status401Unauthorized, "signature_invalid", "X-Hub-Signature-256 is missing or does not match the body.");
        }

        var parsed = WebhookParser.Parse(body);
        if (!parsed.IsSuccess)
        {
            metrics.Rejected("shape");
            return Refuse(StatusCodes.Status400BadRequest, "invalid_payload", parsed.Error!);
        }

        try
        {
            await ingestion.ApplyAsync(parsed.Envelope!, ct);
            return Results.Ok();
        }
        catch (StoreUnavailableException)
        {
            metrics.Rejected("store_unavailable");
            return Refuse(StatusCodes.Status503ServiceUnavailable, "store_unavailable", StoreUnavailable);
        }
    }

    private static IResult Refuse(int status, string code, string reason) =>
        Results.Problem(statusCode: status, title: code, detail: reason, extensions: new Dictionary<string, object?> { ["code"] = code, ["reason"] = reason });

    /// <summary>Reads at most <paramref name="limit"/> bytes; null when the body is longer.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(Stream stream, long? declaredLength, int limit, CancellationToken ct)
    {
        if (declaredLength is { } length && length <= limit)
        {
            // Meta sends Content-Length: one array of that size, filled in place. A body that is shorter or longer
            // than declared is read the general way from what is left, so a lying header changes nothing.
            var exact = new byte[length];
            var filled = 0;
            int n;
            while (filled < exact.Length && (n = await stream.ReadAsync(exact.AsMemory(filled), ct)) > 0)
            {
                filled += n;
            }

            if (filled < exact.Length)
            {
                return exact[..filled];
            }

            var rest = await ReadBoundedAsync(stream, null, limit - filled, ct);
            return rest switch
            {
                null => null,
                { Length: 0 } => exact,
                _ => [.. exact, .. rest],
            };
        }

        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            using var collected = new MemoryStream();
            int read;
            while ((read = await stream.ReadAsync(buffer, ct)) > 0)
            {
                if (collected.Length + read > limit)
                {
                    return null;
                }

                collected.Write(buffer, 0, read);
            }

            return collected.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));
}

/// <summary>Applies a parsed envelope: routes each change by phone_number_id and hands every item to its processor.</summary>
public sealed partial class WebhookIngestion(
    ContactCenterDirectory directory,
    InboundMessageProcessor inbound,
    StatusProcessor statuses,
    TemplateCatalog templates,
    IAgentEventPublisher events,
    WebhookMetrics metrics,
    ILogger<WebhookIngestion> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public async Task ApplyAsync(WebhookEnvelope envelope, CancellationToken ct)
    {
        foreach (var change in envelope.Changes)
        {
            switch (change)
            {
                case MessagesChange messages:
                    await ApplyMessagesAsync(messages, ct);
                    break;
                case TemplateStatusChange template:
                    await ApplyTemplateStatusAsync(template, ct);
                    break;
                default:
                    LogIgnoredField(change.Field);
                    break;
            }
        }
    }

    private async Task ApplyMessagesAsync(MessagesChange change, CancellationToken ct)
    {
        var channel = await directory.GetChannelAsync(change.PhoneNumberId, ct);
        if (channel is null)
        {
            metrics.UnknownChannel();
            LogUnknownChannel(change.PhoneNumberId);
            return;
        }

        foreach (var message in change.Messages)
        {
            var contact = change.Contacts.FirstOrDefault(c => (c.WaId is not null && c.WaId == message.From) || (c.UserId is not null && c.UserId == message.FromUserId))
                ?? (change.Contacts.Count == 1 ? change.Contacts[0] : null);
            var waId = message.From ?? contact?.WaId;
            CustomerKey? key = null;
            if (!CustomerKey.TryFromWaId(waId, out key) && !CustomerKey.TryFromUserId(message.FromUserId ?? contact?.UserId, out key))
            {
                LogUnidentifiedSender(message.Wamid);
                continue;
            }

            var outcome = await inbound.ProcessAsync(new InboundInput(
                channel,
                key.Value,
                message.Wamid,
                waId,
                message.FromUserId ?? contact?.UserId,
                contact?.ProfileName,
                message.Timestamp,
                message.Type,
                message.DisplayText,
                message.Text,
                message.Media is null ? null : JsonSerializer.Serialize(message.Media, Json),
                // A reaction quotes the message it reacts to, like a reply does.
                message.ContextMessageId ?? message.Reaction?.MessageId,
                message.RawJson,
                message.Referral is null ? null : JsonSerializer.Serialize(message.Referral, Json),
                message.IsForwarded), ct);
            if (outcome == InboundOutcome.Duplicate)
            {
                metrics.Duplicate();
            }
            else
            {
                metrics.Message();
            }
        }

        foreach (var status in change.Statuses)
        {
            var error = status.Errors.FirstOrDefault();
            var outcome = await statuses.ProcessAsync(new StatusInput(
                channel, status.Wamid, status.Status, status.Timestamp, status.RecipientId, status.BizOpaqueCallbackData,
                error?.Code, error?.Title ?? error?.Message, error?.Details), ct);
            if (outcome == StatusOutcome.Applied)
            {
                metrics.Status();
            }
        }

        foreach (var error in change.Errors)
        {
            LogChangeError(change.PhoneNumberId, error.Code, error.Title);
        }
    }

    private async Task ApplyTemplateStatusAsync(TemplateStatusChange change, CancellationToken ct)
    {
        var tenantId = await directory.GetTenantOfWabaAsync(change.WabaId, ct);
        if (tenantId is null || change.Name is null)
        {
            metrics.UnknownChannel();
            LogUnknownWaba(change.WabaId);
            return;
        }

        // REINSTATED is not a status of its own: it returns the template to APPROVED (reference §8).
        var status = change.IsApproved ? TemplateStatus.Approved : TemplateStatusNames.Parse(change.Event);
        var updated = await templates.UpdateStatusAsync(tenantId, change.WabaId, change.Name, change.Language, status, ct);
        foreach (var template in updated)
        {
            await events.PublishAsync(new AgentEvent(AgentEventTypes.TemplateChanged, tenantId, null, 0, null, new { template = TemplateView.From(template) }), ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook change for unknown phone_number_id {PhoneNumberId}: ignored (retrying cannot help)")]
    private partial void LogUnknownChannel(string phoneNumberId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Template status update for unknown WABA {WabaId}: ignored")]
    private partial void LogUnknownWaba(string wabaId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook field {Field} is not used: ignored")]
    private partial void LogIgnoredField(string field);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound message {Wamid} has neither a phone nor a user id: ignored")]
    private partial void LogUnidentifiedSender(string wamid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Meta reported error {Code} ({Title}) for channel {PhoneNumberId}")]
    private partial void LogChangeError(string phoneNumberId, int code, string? title);
}
