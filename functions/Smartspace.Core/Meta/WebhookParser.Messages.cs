using System.Text.Json;
using Smartspace.Core.Messaging;
using static Smartspace.Core.Meta.JsonFields;

namespace Smartspace.Core.Meta;

public static partial class WebhookParser
{
    /// <summary>Meta's <c>type</c> value to a kind; <see cref="InboundMessageKind.Unknown"/> for anything else.</summary>
    public static InboundMessageKind KindOf(string type) => type switch
    {
        "text" => InboundMessageKind.Text,
        "image" => InboundMessageKind.Image,
        "audio" => InboundMessageKind.Audio,
        "video" => InboundMessageKind.Video,
        "document" => InboundMessageKind.Document,
        "sticker" => InboundMessageKind.Sticker,
        "location" => InboundMessageKind.Location,
        "contacts" => InboundMessageKind.Contacts,
        "interactive" => InboundMessageKind.Interactive,
        "button" => InboundMessageKind.Button,
        "reaction" => InboundMessageKind.Reaction,
        "order" => InboundMessageKind.Order,
        "system" => InboundMessageKind.System,
        "unsupported" => InboundMessageKind.Unsupported,
        _ => InboundMessageKind.Unknown,
    };

    private static InboundMessage ReadMessage(JsonElement item, string path)
    {
        RequireObject(item, path);
        var type = ReqString(item, "type", path);
        var kind = KindOf(type);
        var context = OptObject(item, "context", path);
        var contextPath = path + ".context";

        var message = new InboundMessage
        {
            Wamid = ReqString(item, "id", path),
            From = OptNonEmptyString(item, "from", path),
            FromUserId = OptNonEmptyString(item, "from_user_id", path),
            Timestamp = ReqTimestamp(item, "timestamp", path),
            Type = type,
            Kind = kind,
            Text = kind == InboundMessageKind.Text ? ReadBody(item, "text", path) : null,
            Media = kind is InboundMessageKind.Image or InboundMessageKind.Audio or InboundMessageKind.Video
                or InboundMessageKind.Document or InboundMessageKind.Sticker
                ? ReadMedia(item, type, path)
                : null,
            Location = kind == InboundMessageKind.Location ? ReadLocation(item, path) : null,
            Reaction = kind == InboundMessageKind.Reaction ? ReadReaction(item, path) : null,
            Interactive = kind == InboundMessageKind.Interactive ? ReadInteractive(item, path) : null,
            Button = kind == InboundMessageKind.Button ? ReadButton(item, path) : null,
            Order = kind == InboundMessageKind.Order ? ReadOrder(item, path) : null,
            System = kind == InboundMessageKind.System ? ReadSystem(item, path) : null,
            SharedContacts = kind == InboundMessageKind.Contacts ? ReadSharedContacts(item, path) : [],
            ContextMessageId = context is { } c1 ? OptString(c1, "id", contextPath) : null,
            ContextFrom = context is { } c2 ? OptString(c2, "from", contextPath) : null,
            IsForwarded = context is { } c3
                && (OptBool(c3, "forwarded", contextPath) == true || OptBool(c3, "frequently_forwarded", contextPath) == true),
            Referral = ReadReferral(item, path),
            UnsupportedType = OptObject(item, "unsupported", path) is { } u ? OptString(u, "type", path + ".unsupported") : null,
            Errors = ReadErrors(item, path),
            RawJson = item.GetRawText(),
        };

        return message with { DisplayText = InboundDisplayText.For(message) };
    }

    private static string? ReadBody(JsonElement item, string name, string path) =>
        OptObject(item, name, path) is { } part ? OptString(part, "body", $"{path}.{name}") : null;

    private static InboundMedia? ReadMedia(JsonElement item, string type, string path)
    {
        if (OptObject(item, type, path) is not { } media)
        {
            return null;
        }

        var mediaPath = $"{path}.{type}";
        return new InboundMedia(
            Id: OptString(media, "id", mediaPath),
            MimeType: OptString(media, "mime_type", mediaPath),
            Sha256: OptString(media, "sha256", mediaPath),
            Caption: OptNonEmptyString(media, "caption", mediaPath),
            Filename: OptNonEmptyString(media, "filename", mediaPath),
            Url: OptString(media, "url", mediaPath),
            Voice: OptBool(media, "voice", mediaPath),
            Animated: OptBool(media, "animated", mediaPath));
    }

    private static InboundLocation? ReadLocation(JsonElement item, string path)
    {
        if (OptObject(item, "location", path) is not { } location)
        {
            return null;
        }

        var locationPath = path + ".location";
        return new InboundLocation(
            ReqDouble(location, "latitude", locationPath),
            ReqDouble(location, "longitude", locationPath),
            OptNonEmptyString(location, "name", locationPath),
            OptNonEmptyString(location, "address", locationPath),
            OptString(location, "url", locationPath));
    }

    private static InboundReaction? ReadReaction(JsonElement item, string path) =>
        OptObject(item, "reaction", path) is { } reaction
            ? new InboundReaction(
                OptString(reaction, "message_id", path + ".reaction"),
                OptNonEmptyString(reaction, "emoji", path + ".reaction"))
            : null;

    private static InboundInteractive? ReadInteractive(JsonElement item, string path)
    {
        if (OptObject(item, "interactive", path) is not { } interactive)
        {
            return null;
        }

        var interactivePath = path + ".interactive";
        var replyType = OptString(interactive, "type", interactivePath) ?? "";
        if (replyType.Length == 0 || OptObject(interactive, replyType, interactivePath) is not { } reply)
        {
            return new InboundInteractive(replyType, null, null, null);
        }

        var replyPath = $"{interactivePath}.{replyType}";
        return new InboundInteractive(
            replyType,
            OptString(reply, "id", replyPath),
            OptNonEmptyString(reply, "title", replyPath) ?? OptNonEmptyString(reply, "body", replyPath),
            OptString(reply, "description", replyPath));
    }

    private static InboundReferral? ReadReferral(JsonElement item, string path)
    {
        if (OptObject(item, "referral", path) is not { } r)
        {
            return null;
        }

        var p = path + ".referral";
        return new InboundReferral(OptString(r, "source_type", p), OptString(r, "source_id", p), OptString(r, "source_url", p),
            OptString(r, "headline", p), OptString(r, "body", p), OptString(r, "media_type", p), OptString(r, "ctwa_clid", p));
    }

    private static InboundButton? ReadButton(JsonElement item, string path) =>
        OptObject(item, "button", path) is { } button
            ? new InboundButton(OptString(button, "payload", path + ".button"), OptNonEmptyString(button, "text", path + ".button"))
            : null;

    private static InboundOrder? ReadOrder(JsonElement item, string path)
    {
        if (OptObject(item, "order", path) is not { } order)
        {
            return null;
        }

        var orderPath = path + ".order";
        OptArray(order, "product_items", orderPath, out var count);
        return new InboundOrder(OptString(order, "catalog_id", orderPath), OptNonEmptyString(order, "text", orderPath), count);
    }

    private static InboundSystem? ReadSystem(JsonElement item, string path)
    {
        if (OptObject(item, "system", path) is not { } system)
        {
            return null;
        }

        var systemPath = path + ".system";
        return new InboundSystem(
            OptNonEmptyString(system, "body", systemPath),
            OptString(system, "type", systemPath),
            OptNonEmptyString(system, "wa_id", systemPath),
            OptNonEmptyString(system, "user_id", systemPath));
    }

    private static IReadOnlyList<SharedContact> ReadSharedContacts(JsonElement item, string path)
    {
        var contacts = new List<SharedContact>();
        var index = 0;
        foreach (var card in OptArray(item, "contacts", path, out _))
        {
            var cardPath = $"{path}.contacts[{index++}]";
            RequireObject(card, cardPath);
            var name = OptObject(card, "name", cardPath) is { } n ? OptNonEmptyString(n, "formatted_name", cardPath + ".name") : null;
            var phones = new List<SharedPhone>();
            var phoneIndex = 0;
            foreach (var phone in OptArray(card, "phones", cardPath, out _))
            {
                var phonePath = $"{cardPath}.phones[{phoneIndex++}]";
                RequireObject(phone, phonePath);
                phones.Add(new SharedPhone(
                    OptNonEmptyString(phone, "phone", phonePath),
                    OptNonEmptyString(phone, "wa_id", phonePath),
                    OptString(phone, "type", phonePath)));
            }

            contacts.Add(new SharedContact(name, phones));
        }

        return contacts;
    }

    private static StatusUpdate ReadStatus(JsonElement item, string path)
    {
        RequireObject(item, path);
        var statusText = ReqString(item, "status", path);
        var pricing = OptObject(item, "pricing", path);
        var pricingPath = path + ".pricing";
        return new StatusUpdate
        {
            Wamid = ReqString(item, "id", path),
            Status = MessageStatusRules.FromMeta(statusText),
            StatusText = statusText,
            Timestamp = ReqTimestamp(item, "timestamp", path),
            RecipientId = OptNonEmptyString(item, "recipient_id", path),
            RecipientUserId = OptNonEmptyString(item, "recipient_user_id", path),
            BizOpaqueCallbackData = OptString(item, "biz_opaque_callback_data", path),
            Errors = ReadErrors(item, path),
            Pricing = pricing is { } p
                ? new StatusPricing(
                    OptString(p, "category", pricingPath),
                    OptString(p, "type", pricingPath),
                    OptString(p, "pricing_model", pricingPath),
                    OptBool(p, "billable", pricingPath))
                : null,
        };
    }
}
