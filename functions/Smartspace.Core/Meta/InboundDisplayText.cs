using System.Globalization;
using Smartspace.Core.Text;

namespace Smartspace.Core.Meta;

/// <summary>P7: how each inbound message is shown to the agent, in pt-BR (texts in <see cref="PtBr"/>).</summary>
public static class InboundDisplayText
{
    /// <summary>The chat line for <paramref name="message"/>; never empty except for an empty text body.</summary>
    public static string For(InboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.Kind switch
        {
            InboundMessageKind.Text => message.Text ?? "",
            InboundMessageKind.Image => WithCaption(PtBr.InboundImage, message.Media?.Caption),
            InboundMessageKind.Audio => PtBr.InboundAudio,
            InboundMessageKind.Video => WithCaption(PtBr.InboundVideo, message.Media?.Caption),
            InboundMessageKind.Document => WithCaption(
                message.Media?.Filename is { } filename ? PtBr.InboundDocumentNamed(filename) : PtBr.InboundDocument,
                message.Media?.Caption),
            InboundMessageKind.Sticker => PtBr.InboundSticker,
            InboundMessageKind.Location => Location(message.Location),
            InboundMessageKind.Contacts => Contacts(message.SharedContacts),
            InboundMessageKind.Interactive => message.Interactive?.Title ?? PtBr.InboundInteractive,
            InboundMessageKind.Button => message.Button?.Text ?? message.Button?.Payload ?? PtBr.InboundInteractive,
            InboundMessageKind.Reaction => message.Reaction?.Emoji is { } emoji
                ? PtBr.InboundReactedWith(emoji)
                : PtBr.InboundReactionRemoved,
            InboundMessageKind.Order => Order(message.Order),
            InboundMessageKind.System => message.System?.Body ?? PtBr.InboundSystem,
            InboundMessageKind.Unsupported => PtBr.InboundUnsupported,
            _ => PtBr.InboundUnknownType(message.Type),
        };
    }

    private static string WithCaption(string label, string? caption) =>
        caption is null ? label : label + PtBr.CaptionSeparator + caption;

    private static string Location(InboundLocation? location)
    {
        if (location is null)
        {
            return PtBr.InboundLocation;
        }

        var place = string.Join(", ", new[] { location.Name, location.Address }.Where(s => s is not null));
        var coordinates = string.Create(CultureInfo.InvariantCulture, $"({location.Latitude}, {location.Longitude})");
        return place.Length == 0
            ? $"{PtBr.InboundLocation}: {coordinates}"
            : $"{PtBr.InboundLocation}: {place} {coordinates}";
    }

    private static string Contacts(IReadOnlyList<SharedContact> contacts)
    {
        if (contacts.Count == 0)
        {
            return PtBr.InboundContact;
        }

        var cards = contacts.Select(card =>
        {
            var phone = card.Phones.Select(p => p.Phone ?? (p.WaId is null ? null : "+" + p.WaId)).FirstOrDefault(p => p is not null);
            var name = card.FormattedName ?? phone ?? "";
            return phone is null || ReferenceEquals(name, phone) ? name : $"{name} ({phone})";
        });
        var label = contacts.Count == 1 ? PtBr.InboundContact : PtBr.InboundContacts;
        return $"{label}: {string.Join("; ", cards)}";
    }

    private static string Order(InboundOrder? order)
    {
        if (order is null)
        {
            return PtBr.InboundOrder;
        }

        var text = $"{PtBr.InboundOrder} ({PtBr.Items(order.ItemCount)})";
        return order.Text is null ? text : text + PtBr.CaptionSeparator + order.Text;
    }
}
