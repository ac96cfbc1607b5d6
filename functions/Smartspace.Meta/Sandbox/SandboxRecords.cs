namespace Smartspace.Meta.Sandbox;

/// <summary>A <c>POST /messages</c> the sandbox received from us (shown at <c>GET /sandbox/outbox</c>).</summary>
/// <param name="Wamid">The id answered, or null when the send was refused synchronously.</param>
/// <param name="Result"><c>accepted</c>, <c>failed</c> (accepted, then a failed status) or <c>rejected</c> (Graph error).</param>
/// <param name="ErrorCode">Meta error code of a failed/rejected send.</param>
public sealed record SandboxOutboundRecord(
    string? Wamid,
    string PhoneNumberId,
    string To,
    string? WaId,
    string Type,
    string? Text,
    string? TemplateName,
    string? TemplateLanguage,
    string? BizOpaqueCallbackData,
    bool InsideWindow,
    string Result,
    int? ErrorCode,
    DateTimeOffset ReceivedAt,
    string RequestBody);

/// <summary>One webhook POST the sandbox made.</summary>
/// <param name="Kind">e.g. <c>message</c>, <c>status:sent</c>, <c>template_status</c>.</param>
/// <param name="StatusCode">HTTP status of the receiver's answer; null when no answer came.</param>
public sealed record SandboxWebhookDelivery(string Kind, string Url, int? StatusCode, int Attempt, DateTimeOffset At);
