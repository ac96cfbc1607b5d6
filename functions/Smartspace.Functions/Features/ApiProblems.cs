using Smartspace.Core.Conversations;
using Smartspace.Core.Text;

namespace Smartspace.Functions.Features;

/// <summary>
/// The one place that turns business refusals and bad input into HTTP: 4xx <c>application/problem+json</c>
/// with a stable English <c>code</c> and the exact pt-BR <c>detail</c> the agent sees (STYLE §8).
/// </summary>
public static class ApiProblems
{
    public static IResult Refusal(RefusalCode code, string? extra = null)
    {
        var (status, detail) = code switch
        {
            RefusalCode.AgentAtCapacity => (StatusCodes.Status409Conflict, PtBr.AgentAtCapacity),
            RefusalCode.CustomerInService => (StatusCodes.Status409Conflict, PtBr.CustomerInService),
            RefusalCode.TemplateRequired => (StatusCodes.Status422UnprocessableEntity, PtBr.TemplateRequired),
            RefusalCode.WindowClosed => (StatusCodes.Status409Conflict, PtBr.WindowClosed),
            RefusalCode.AwaitingCustomerReply => (StatusCodes.Status409Conflict, PtBr.AwaitingCustomerReply),
            RefusalCode.NotConversationOwner => (StatusCodes.Status403Forbidden, PtBr.Forbidden),
            RefusalCode.ConversationClosed => (StatusCodes.Status409Conflict, PtBr.ConversationClosed),
            RefusalCode.QualificationUnknown => (StatusCodes.Status422UnprocessableEntity, PtBr.QualificationUnknown),
            RefusalCode.TemplateNotApproved => (StatusCodes.Status422UnprocessableEntity, PtBr.TemplateNotApproved),
            RefusalCode.TemplateParametersInvalid => (StatusCodes.Status422UnprocessableEntity, PtBr.TemplateParametersMissing),
            RefusalCode.InvalidNumber => (StatusCodes.Status400BadRequest, PtBr.InvalidNumber),
            RefusalCode.ChannelNotFound => (StatusCodes.Status404NotFound, PtBr.ChannelNotFound),
            RefusalCode.ConversationNotFound => (StatusCodes.Status404NotFound, PtBr.ConversationNotFound),
            RefusalCode.AgentNotFound => (StatusCodes.Status404NotFound, PtBr.AgentNotFound),
            RefusalCode.Forbidden => (StatusCodes.Status403Forbidden, PtBr.Forbidden),
            RefusalCode.CustomerNotFound => (StatusCodes.Status404NotFound, PtBr.CustomerNotFound),
            RefusalCode.ErasureWhileInService => (StatusCodes.Status409Conflict, PtBr.ErasureWhileInService),
            RefusalCode.MessageNotFound => (StatusCodes.Status404NotFound, PtBr.MessageNotFound),
            RefusalCode.MediaUnavailable => (StatusCodes.Status404NotFound, PtBr.MediaUnavailable),
            RefusalCode.AttachmentUnsupportedType => (StatusCodes.Status415UnsupportedMediaType, PtBr.AttachmentUnsupportedType),
            RefusalCode.AttachmentTooLarge => (StatusCodes.Status413PayloadTooLarge, PtBr.AttachmentTooLarge),
            RefusalCode.AttachmentInvalid => (StatusCodes.Status400BadRequest, PtBr.AttachmentInvalid),
            _ => (StatusCodes.Status400BadRequest, PtBr.Forbidden),
        };

        var extensions = new Dictionary<string, object?> { ["code"] = code.ToCode() };
        if (extra is not null)
        {
            extensions["reason"] = extra;
        }

        return Results.Problem(
            statusCode: status,
            title: code is RefusalCode.AgentAtCapacity or RefusalCode.CustomerInService ? PtBr.AttentionTitle : code.ToCode(),
            detail: detail,
            extensions: extensions);
    }

    /// <summary>Malformed or invalid input: 400 with a reason (English, for developers) and code <c>invalid_request</c>.</summary>
    public static IResult BadRequest(string reason) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "invalid_request", detail: reason,
            extensions: new Dictionary<string, object?> { ["code"] = "invalid_request", ["reason"] = reason });

    public static IResult Unauthenticated(string detail = "A valid bearer token is required.") =>
        Problem(StatusCodes.Status401Unauthorized, "unauthenticated", detail);

    public static IResult StoreUnavailable() =>
        Problem(StatusCodes.Status503ServiceUnavailable, "store_unavailable", "The store is unavailable; retry later.");

    /// <summary>A body over the agent API's limit (413), refused before it is read.</summary>
    public static IResult PayloadTooLarge(long maxBytes) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "payload_too_large", $"The request body is larger than {maxBytes} bytes.");

    /// <summary>Too many requests from one agent (429); <c>Retry-After</c> says when to try again.</summary>
    public static IResult RateLimited() =>
        Problem(StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests from this agent; retry after the time in Retry-After.");

    /// <summary>A 4xx/5xx with a stable <c>code</c> (also the title) and a detail in words a client developer understands.</summary>
    public static IResult Problem(int status, string code, string detail) =>
        Results.Problem(statusCode: status, title: code, detail: detail, extensions: new Dictionary<string, object?> { ["code"] = code });
}
