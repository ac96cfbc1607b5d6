using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smartspace.Core.Phones;
using Smartspace.Core.Templates;
using Smartspace.Meta.Options;
using Smartspace.Meta.Sending;

namespace Smartspace.Meta.Graph;

/// <summary>
/// Typed Graph API client (Meta Cloud API or the local sandbox — same wire format). Base URL, version and token
/// come from <see cref="MetaOptions"/> per call, so a rotated token applies without a restart.
/// Sends are never retried here: see <see cref="IWhatsAppSender"/>.
/// </summary>
public sealed partial class GraphApiClient(HttpClient http, IOptionsMonitor<MetaOptions> options, ILogger<GraphApiClient> logger)
    : IWhatsAppSender, IMessageTemplateSource
{
    /// <summary>Fields asked for when listing templates.</summary>
    public const string TemplateFields = "id,name,language,status,category,parameter_format,components";

    private const int PageLimit = 100;
    private const int MaxPages = 1000;

    public Task<SendOutcome> SendTextAsync(string phoneNumberId, string toE164, string body, string bizOpaque, CancellationToken cancellationToken = default) =>
        SendAsync(OutboundRequest.ForText(phoneNumberId, toE164, bizOpaque, body), cancellationToken);

    public Task<SendOutcome> SendTemplateAsync(
        string phoneNumberId, string toE164, MessageTemplate template, TemplateParameters parameters, string bizOpaque, CancellationToken cancellationToken = default) =>
        SendAsync(OutboundRequest.ForTemplate(phoneNumberId, toE164, bizOpaque, template, parameters), cancellationToken);

    /// <summary>
    /// One <c>POST /{version}/{phone-number-id}/messages</c>. Never throws for Meta or network failures:
    /// a failure before the request could leave this machine is <see cref="RejectionKind.RetryLater"/>; a timeout,
    /// a dropped response or a cancellation after sending began is <see cref="RejectionKind.Ambiguous"/>.
    /// </summary>
    public async Task<SendOutcome> SendAsync(OutboundRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var current = options.CurrentValue;
        var url = new Uri(current.VersionedBaseUrl + Uri.EscapeDataString(request.PhoneNumberId) + "/messages");
        using var message = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(GraphMessageJson.Build(request)),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", current.AccessToken);

        var masked = CustomerKey.Mask(request.ToE164);
        HttpResponseMessage? response = null;
        byte[] body;
        try
        {
            response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
            body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (NeverLeft(ex))
        {
            LogNotSent(logger, request.OurMessageId, masked, ex.HttpRequestError);
            return new SendOutcome.Rejected(null, "connection failed before sending: " + ex.HttpRequestError, null, null,
                new RejectionKind.RetryLater(MetaErrorCodes.RetryDelay(null, request.Attempt)));
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            response?.Dispose();
            // The bytes may have reached Meta. No idempotency key exists, so only a status webhook can tell.
            var what = ex is OperationCanceledException
                ? cancellationToken.IsCancellationRequested ? "cancelled while sending" : "timed out"
                : "connection dropped";
            LogAmbiguous(logger, request.OurMessageId, masked, what);
            return new SendOutcome.Rejected(null, what, null, null, RejectionKind.Ambiguous);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                var accepted = ParseAccepted(body);
                if (accepted is null)
                {
                    LogAmbiguous(logger, request.OurMessageId, masked, "success without a message id");
                    return new SendOutcome.Rejected(null, "Graph answered success without a message id", null, status, RejectionKind.Ambiguous);
                }

                LogAccepted(logger, request.OurMessageId, masked, accepted.Wamid, accepted.MessageStatus);
                return accepted;
            }

            var error = GraphError.TryParse(body);
            RejectionKind kind = status == (int)HttpStatusCode.GatewayTimeout && error?.Code is null
                ? RejectionKind.Ambiguous // a gateway gave up waiting: Meta may still have processed it
                : MetaErrorCodes.Classify(error?.Code, status, request.Attempt);
            LogRejected(logger, request.OurMessageId, masked, error?.Code, status, kind.GetType().Name);
            return new SendOutcome.Rejected(error?.Code, error?.Message ?? response.ReasonPhrase ?? "HTTP " + status, error?.Details, status, kind);
        }
    }

    /// <summary>
    /// <c>GET /{version}/{waba-id}/message_templates?limit=100&amp;fields=…</c>, following
    /// <c>paging.cursors.after</c> while <c>paging.next</c> is present. An error answer, a timeout or a body that is not
    /// the expected JSON stops the listing at that page and is reported in <see cref="TemplateListing.Problem"/>, with the
    /// pages read before it; only the caller's cancellation throws.
    /// </summary>
    public async Task<TemplateListing> ListTemplatesAsync(string wabaId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(wabaId);
        var current = options.CurrentValue;
        var first = current.VersionedBaseUrl + Uri.EscapeDataString(wabaId) + "/message_templates?limit=" + PageLimit
            + "&fields=" + Uri.EscapeDataString(TemplateFields);
        var all = new List<MessageTemplate>();
        var seenCursors = new HashSet<string>(StringComparer.Ordinal);
        string? after = null;
        for (var page = 1; page <= MaxPages; page++)
        {
            var url = after is null ? first : first + "&after=" + Uri.EscapeDataString(after);
            var (next, problem) = await ReadTemplatePageAsync(url, current.AccessToken, page, all, cancellationToken).ConfigureAwait(false);
            if (problem is not null)
            {
                LogTemplatesFailed(logger, wabaId, page, problem.Code, problem.HttpStatus, problem.Reason);
                return new TemplateListing(all, problem);
            }

            after = next;
            if (after is null || !seenCursors.Add(after))
            {
                break;
            }
        }

        LogTemplatesListed(logger, wabaId, all.Count);
        return new TemplateListing(all);
    }

    /// <summary>Reads one page into <paramref name="into"/>: its next cursor, or the problem that stopped it.</summary>
    private async Task<(string? Next, TemplateListingProblem? Problem)> ReadTemplatePageAsync(
        string url, string token, int page, List<MessageTemplate> into, CancellationToken cancellationToken)
    {
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, url);
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var error = GraphError.TryParse(body);
                return (null, new TemplateListingProblem(page, error?.Code, status, $"HTTP {status}: {error?.Message ?? response.ReasonPhrase ?? "error"}"));
            }

            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            {
                return (null, new TemplateListingProblem(page, null, status, "the answer has no data array"));
            }

            into.AddRange(GraphTemplateJson.ParseMany(data));
            return (NextCursor(doc.RootElement), null);
        }
        catch (JsonException)
        {
            return (null, new TemplateListingProblem(page, null, 200, "the answer is not JSON"));
        }
        catch (HttpRequestException ex)
        {
            return (null, new TemplateListingProblem(page, null, null, "the Graph API could not be reached: " + ex.HttpRequestError));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, new TemplateListingProblem(page, null, null, "the Graph API did not answer in time"));
        }
    }

    /// <summary>The <c>after</c> cursor when another page exists (Meta omits <c>paging.next</c> on the last page).</summary>
    private static string? NextCursor(JsonElement root)
    {
        if (!root.TryGetProperty("paging", out var paging) || paging.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (!paging.TryGetProperty("next", out var next) || next.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        if (paging.TryGetProperty("cursors", out var cursors) && cursors.ValueKind == JsonValueKind.Object
            && cursors.TryGetProperty("after", out var a) && a.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(a.GetString()))
        {
            return a.GetString();
        }

        // No cursor object: take "after" from the next URL itself. We never call that URL directly, so the
        // token is only ever sent to the configured base URL.
        return Uri.TryCreate(next.GetString(), UriKind.Absolute, out var uri) ? QueryValue(uri.Query, "after") : null;
    }

    private static string? QueryValue(string query, string key)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && pair[..eq] == key)
            {
                return Uri.UnescapeDataString(pair[(eq + 1)..]);
            }
        }

        return null;
    }

    private static SendOutcome.Accepted? ParseAccepted(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            {
                return null;
            }

            var first = messages[0];
            var id = first.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            if (string.IsNullOrEmpty(id))
            {
                return null;
            }

            var status = first.TryGetProperty("message_status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            string? waId = null;
            if (root.TryGetProperty("contacts", out var contacts) && contacts.ValueKind == JsonValueKind.Array && contacts.GetArrayLength() > 0
                && contacts[0].TryGetProperty("wa_id", out var w) && w.ValueKind == JsonValueKind.String)
            {
                waId = w.GetString();
            }

            return new SendOutcome.Accepted(id, waId, status);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Failures that happen before any request byte can have reached the server.</summary>
    private static bool NeverLeft(HttpRequestException ex) => ex.HttpRequestError is
        HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError
        or HttpRequestError.ProxyTunnelError;

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "WhatsApp send {OurMessageId} to {To} accepted as {Wamid} ({MessageStatus})")]
    private static partial void LogAccepted(ILogger logger, string ourMessageId, string to, string wamid, string? messageStatus);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "WhatsApp send {OurMessageId} to {To} rejected: code {Code}, HTTP {HttpStatus}, {Kind}")]
    private static partial void LogRejected(ILogger logger, string ourMessageId, string to, int? code, int httpStatus, string kind);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "WhatsApp send {OurMessageId} to {To} not sent: {Error}; safe to retry")]
    private static partial void LogNotSent(ILogger logger, string ourMessageId, string to, HttpRequestError error);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "WhatsApp send {OurMessageId} to {To} is ambiguous ({What}); awaiting a status webhook, not re-sending")]
    private static partial void LogAmbiguous(ILogger logger, string ourMessageId, string to, string what);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Information, Message = "Listed {Count} WhatsApp templates of account {WabaId}")]
    private static partial void LogTemplatesListed(ILogger logger, string wabaId, int count);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning, Message = "Listing the templates of account {WabaId} failed at page {Page}: code {Code}, HTTP {HttpStatus}, {Reason}")]
    private static partial void LogTemplatesFailed(ILogger logger, string wabaId, int page, int? code, int? httpStatus, string reason);
}
