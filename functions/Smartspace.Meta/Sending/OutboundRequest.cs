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

    /// <summary>An attachment (image, audio, video, document) sent by Meta media id, or null.</summary>
    public OutboundMedia? Media { get; private init; }

    /// <summary>A reaction to a customer's message (an empty emoji removes it), or null.</summary>
    public OutboundReaction? Reaction { get; private init; }

    /// <summary>The wamid this message replies to (<c>context.message_id</c>), or null.</summary>
    public string? ReplyToWamid { get; init; }

    /// <summary>0 for the first try; the caller increments it on each retry (drives the 4^X pair-rate backoff).</summary>
    public int Attempt { get; init; }

    public static OutboundRequest ForText(string phoneNumberId, string toE164, string ourMessageId, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        return new OutboundRequest(phoneNumberId, toE164, ourMessageId) { Text = text };
    }

    public static OutboundRequest ForMedia(string phoneNumberId, string toE164, string ourMessageId, OutboundMedia media)
    {
        ArgumentNullException.ThrowIfNull(media);
        ArgumentException.ThrowIfNullOrWhiteSpace(media.MediaId);
        return new OutboundRequest(phoneNumberId, toE164, ourMessageId) { Media = media };
    }

    public static OutboundRequest ForReaction(string phoneNumberId, string toE164, string ourMessageId, OutboundReaction reaction)
    {
        ArgumentNullException.ThrowIfNull(reaction);
        ArgumentException.ThrowIfNullOrWhiteSpace(reaction.MessageWamid);
        return new OutboundRequest(phoneNumberId, toE164, ourMessageId) { Reaction = reaction };
    }

    public static OutboundRequest ForTemplate(string phoneNumberId, string toE164, string ourMessageId, MessageTemplate template, TemplateParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(parameters);
        return new OutboundRequest(phoneNumberId, toE164, ourMessageId) { Template = template, Parameters = parameters };
    }
}

/// <summary>An attachment as Meta takes it: <c>{"type":kind, kind:{"id", "caption"?, "filename"?}}</c>.</summary>
/// <param name="Kind">Meta's type: image, audio, video or document.</param>
/// <param name="MediaId">The id Meta's <c>/media</c> upload answered.</param>
/// <param name="Caption">Image, video and document only.</param>
/// <param name="FileName">Document only: the name the customer sees.</param>
public sealed record OutboundMedia(string Kind, string MediaId, string? Caption, string? FileName);

/// <summary>A reaction: <c>{"type":"reaction","reaction":{"message_id","emoji"}}</c>; an empty emoji removes it.</summary>
public sealed record OutboundReaction(string MessageWamid, string Emoji);
