using Smartspace.Core.Templates;

namespace Smartspace.Meta.Sending;

/// <summary>
/// One message to send: free text (inside the 24 h window) or a template with its parameters.
/// <see cref="OurMessageId"/> travels as <c>biz_opaque_callback_data</c> so status webhooks can be matched
/// even when the send response was lost.
/// </summary>
public sealed record OutboundRequest
{
    private OutboundRequest(string phoneNumberId, string toE164, string ourMessageId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(phoneNumberId);
        ArgumentException.ThrowIfNullOrWhiteSpace(toE164);
        ArgumentException.ThrowIfNullOrWhiteSpace(ourMessageId);
        PhoneNumberId = phoneNumberId;
        ToE164 = toE164;
        OurMessageId = ourMessageId;
    }

    /// <summary>Meta <c>phone_number_id</c> of the channel ("Número de Origem").</summary>
    public string PhoneNumberId { get; }

    /// <summary>Customer number; sent as <c>to</c> with a leading <c>+</c> (added when missing).</summary>
    public string ToE164 { get; }

    /// <summary>Our outbound message id; sent as <c>biz_opaque_callback_data</c>.</summary>
    public string OurMessageId { get; }

    /// <summary>Free-text body, or null for a template.</summary>
    public string? Text { get; private init; }

    /// <summary>The template to send, or null for free text.</summary>
    public MessageTemplate? Template { get; private init; }

    /// <summary>Values for <see cref="Template"/>.</summary>
    public TemplateParameters? Parameters { get; private init; }

    /// <summary>0 for the first try; the caller increments it on each retry (drives the 4^X pair-rate backoff).</summary>
    public int Attempt { get; init; }

    public static OutboundRequest ForText(string phoneNumberId, string toE164, string ourMessageId, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        return new OutboundRequest(phoneNumberId, toE164, ourMessageId) { Text = text };
    }

    public static OutboundRequest ForTemplate(string phoneNumberId, string toE164, string ourMessageId, MessageTemplate template, TemplateParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(parameters);
        return new OutboundRequest(phoneNumberId, toE164, ourMessageId) { Template = template, Parameters = parameters };
    }
}
