using System.Diagnostics.CodeAnalysis;

namespace Smartspace.Core.Meta;

/// <summary>The outcome of <see cref="WebhookParser.Parse"/>: an envelope, or the reason it is not one.</summary>
public sealed record WebhookParseResult
{
    private WebhookParseResult(WebhookEnvelope? envelope, string? error)
    {
        Envelope = envelope;
        Error = error;
    }

    /// <summary>The parsed envelope when <see cref="IsSuccess"/>.</summary>
    public WebhookEnvelope? Envelope { get; }

    /// <summary>Why the body was refused (English, for a 400 and the logs; never contains a whole phone number).</summary>
    public string? Error { get; }

    [MemberNotNullWhen(true, nameof(Envelope))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Envelope is not null;

    /// <summary>A parsed envelope.</summary>
    public static WebhookParseResult Success(WebhookEnvelope envelope) => new(envelope, null);

    /// <summary>A refusal with its reason.</summary>
    public static WebhookParseResult Failure(string reason) => new(null, reason);
}

/// <summary>One webhook POST (reference §4): every <c>entry[].changes[]</c>, flattened in order.</summary>
/// <param name="Changes">The changes, in payload order.</param>
public sealed record WebhookEnvelope(IReadOnlyList<WebhookChange> Changes)
{
    /// <summary>All inbound messages of all <c>messages</c> changes, in payload order.</summary>
    public IEnumerable<InboundMessage> Messages => Changes.OfType<MessagesChange>().SelectMany(c => c.Messages);

    /// <summary>All status updates of all <c>messages</c> changes, in payload order.</summary>
    public IEnumerable<StatusUpdate> Statuses => Changes.OfType<MessagesChange>().SelectMany(c => c.Statuses);
}

/// <summary>One <c>entry[].changes[]</c> item.</summary>
/// <param name="Field"><c>changes[].field</c> as sent.</param>
/// <param name="WabaId"><c>entry[].id</c>: the WhatsApp Business Account.</param>
public abstract record WebhookChange(string Field, string WabaId);

/// <summary>
/// Field <c>messages</c>: inbound messages and/or outbound statuses for one business number.
/// Route by <see cref="PhoneNumberId"/>, never by the display number.
/// </summary>
public sealed record MessagesChange(
    string WabaId,
    string PhoneNumberId,
    string? DisplayPhoneNumber,
    IReadOnlyList<WebhookContact> Contacts,
    IReadOnlyList<InboundMessage> Messages,
    IReadOnlyList<StatusUpdate> Statuses,
    IReadOnlyList<MetaError> Errors) : WebhookChange(WebhookParser.MessagesField, WabaId);

/// <summary>
/// Field <c>message_template_status_update</c> (P5, reference §8).
/// </summary>
/// <param name="WabaId"><c>entry[].id</c>.</param>
/// <param name="Event">APPROVED, REJECTED, PENDING, PAUSED, DISABLED… as sent.</param>
/// <param name="TemplateId"><c>message_template_id</c> as a string (a number on the wire).</param>
/// <param name="Name"><c>message_template_name</c>.</param>
/// <param name="Language"><c>message_template_language</c> normalised to <c>pt_BR</c> style (<c>en-US</c> → <c>en_US</c>).</param>
/// <param name="Reason"><c>reason</c> (null when Meta sends null).</param>
/// <param name="Category"><c>message_template_category</c>, when present.</param>
public sealed record TemplateStatusChange(
    string WabaId,
    string Event,
    string TemplateId,
    string? Name,
    string? Language,
    string? Reason,
    string? Category) : WebhookChange(WebhookParser.TemplateStatusField, WabaId)
{
    /// <summary>True for <c>APPROVED</c> (and <c>REINSTATED</c>, which returns a template to approved): the only sendable state (P5).</summary>
    public bool IsApproved => Event is "APPROVED" or "REINSTATED";
}

/// <summary>Any other field (<c>user_id_update</c>, <c>user_preferences</c>, quality updates…): kept, not an error.</summary>
/// <param name="Field">The field name.</param>
/// <param name="WabaId"><c>entry[].id</c>.</param>
/// <param name="ValueJson">The raw <c>value</c> JSON ("null" when absent).</param>
public sealed record OtherChange(string Field, string WabaId, string ValueJson) : WebhookChange(Field, WabaId);

/// <summary>A <c>value.contacts[]</c> item: who the messages or statuses are about.</summary>
/// <param name="WaId"><c>wa_id</c>; absent for username users who shared no phone (reference §15).</param>
/// <param name="UserId"><c>user_id</c>: the BSUID.</param>
/// <param name="ParentUserId"><c>parent_user_id</c>, when enrolled.</param>
/// <param name="ProfileName"><c>profile.name</c>: the customer's WhatsApp name (R11).</param>
/// <param name="Username"><c>profile.username</c>.</param>
public sealed record WebhookContact(string? WaId, string? UserId, string? ParentUserId, string? ProfileName, string? Username);
