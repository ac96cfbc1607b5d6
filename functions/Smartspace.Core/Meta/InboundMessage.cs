namespace Smartspace.Core.Meta;

/// <summary>The inbound message types this product tells apart (P7, reference §5).</summary>
public enum InboundMessageKind
{
    /// <summary>A <c>type</c> this product does not know (shown as "Mensagem do tipo X não suportada").</summary>
    Unknown = 0,
    Text,
    Image,
    Audio,
    Video,
    Document,
    Sticker,
    Location,
    Contacts,
    Interactive,
    Button,
    Reaction,
    Order,
    System,

    /// <summary>Meta's own <c>unsupported</c> type (error 131051), e.g. an edited message.</summary>
    Unsupported,
}

/// <summary>A <c>value.messages[]</c> item: one message from a customer (P7).</summary>
public sealed record InboundMessage
{
    /// <summary><c>id</c>: the wamid, unique per message (P3 dedupe key).</summary>
    public required string Wamid { get; init; }

    /// <summary><c>from</c>: the customer's phone digits; null for username users who shared none (§15).</summary>
    public string? From { get; init; }

    /// <summary><c>from_user_id</c>: the customer's BSUID.</summary>
    public string? FromUserId { get; init; }

    /// <summary><c>timestamp</c>.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary><c>type</c> exactly as sent.</summary>
    public required string Type { get; init; }

    /// <summary><see cref="Type"/> as a kind.</summary>
    public required InboundMessageKind Kind { get; init; }

    /// <summary><c>text.body</c>.</summary>
    public string? Text { get; init; }

    /// <summary>The media part of image, audio, video, document and sticker messages.</summary>
    public InboundMedia? Media { get; init; }

    /// <summary><c>location</c>.</summary>
    public InboundLocation? Location { get; init; }

    /// <summary><c>reaction</c>.</summary>
    public InboundReaction? Reaction { get; init; }

    /// <summary><c>interactive</c> (button or list reply).</summary>
    public InboundInteractive? Interactive { get; init; }

    /// <summary><c>button</c> (template quick-reply tap).</summary>
    public InboundButton? Button { get; init; }

    /// <summary><c>order</c>.</summary>
    public InboundOrder? Order { get; init; }

    /// <summary><c>system</c> (e.g. the customer changed number).</summary>
    public InboundSystem? System { get; init; }

    /// <summary><c>contacts[]</c> of a contacts message: the shared contact cards.</summary>
    public IReadOnlyList<SharedContact> SharedContacts { get; init; } = [];

    /// <summary><c>context.id</c>: the wamid replied to (e.g. the template whose button was tapped).</summary>
    public string? ContextMessageId { get; init; }

    /// <summary><c>context.from</c>.</summary>
    public string? ContextFrom { get; init; }

    /// <summary><c>context.forwarded</c> or <c>context.frequently_forwarded</c>.</summary>
    public bool IsForwarded { get; init; }

    /// <summary><c>referral</c>, on any type: the ad or post the customer came from.</summary>
    public InboundReferral? Referral { get; init; }

    /// <summary><c>unsupported.type</c>, e.g. "edit".</summary>
    public string? UnsupportedType { get; init; }

    /// <summary><c>errors[]</c> (for <c>unsupported</c>, code 131051).</summary>
    public IReadOnlyList<MetaError> Errors { get; init; } = [];

    /// <summary>The item's JSON text exactly as received, for storage.</summary>
    public required string RawJson { get; init; }

    /// <summary>What the agent sees in the chat, in pt-BR (P7).</summary>
    public string DisplayText { get; init; } = "";
}

/// <summary>The media part of an image, audio, video, document or sticker message. Fetch by <see cref="Id"/> (§12).</summary>
/// <param name="Id">Media id (valid 7 days).</param>
/// <param name="MimeType"><c>mime_type</c>.</param>
/// <param name="Sha256"><c>sha256</c>.</param>
/// <param name="Caption"><c>caption</c> (image, video, document).</param>
/// <param name="Filename"><c>filename</c> (document).</param>
/// <param name="Url"><c>url</c>, when Meta includes it (valid 5 minutes).</param>
/// <param name="Voice"><c>voice</c> (audio recorded in WhatsApp).</param>
/// <param name="Animated"><c>animated</c> (sticker).</param>
public sealed record InboundMedia(
    string? Id, string? MimeType, string? Sha256, string? Caption, string? Filename, string? Url, bool? Voice, bool? Animated);

/// <summary><c>location</c>.</summary>
public sealed record InboundLocation(double Latitude, double Longitude, string? Name, string? Address, string? Url);

/// <summary><c>reaction</c>; <see cref="Emoji"/> is null when the reaction was removed.</summary>
public sealed record InboundReaction(string? MessageId, string? Emoji);

/// <summary><c>interactive</c>: <see cref="ReplyType"/> is <c>button_reply</c>, <c>list_reply</c> or another sent value.</summary>
public sealed record InboundInteractive(string ReplyType, string? Id, string? Title, string? Description);

/// <summary><c>referral</c>: the customer came from a Click-to-WhatsApp ad (or a post); <c>ctwa_clid</c> tracks the click.</summary>
public sealed record InboundReferral(string? SourceType, string? SourceId, string? SourceUrl, string? Headline, string? Body, string? MediaType, string? CtwaClid);

/// <summary><c>button</c>: a template quick-reply tap.</summary>
public sealed record InboundButton(string? Payload, string? Text);

/// <summary><c>order</c>.</summary>
public sealed record InboundOrder(string? CatalogId, string? Text, int ItemCount);

/// <summary><c>system</c>: <see cref="Type"/> e.g. <c>user_changed_number</c>, with the new ids.</summary>
public sealed record InboundSystem(string? Body, string? Type, string? WaId, string? UserId);

/// <summary>A contact card shared by the customer.</summary>
public sealed record SharedContact(string? FormattedName, IReadOnlyList<SharedPhone> Phones);

/// <summary>A phone of a shared contact card.</summary>
public sealed record SharedPhone(string? Phone, string? WaId, string? Type);
