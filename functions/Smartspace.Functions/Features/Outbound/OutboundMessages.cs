using System.Text.Json;
using Smartspace.Core.Templates;
using Smartspace.Functions.Ledger;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Outbound;

/// <summary>
/// Builds outbound messages for the transactional outbox: the message row (status pending) and its outbox
/// row are written in the same batch as the business change, and only then sent (DESIGN: "written first,
/// then sent"). The outbox row names the message by our id, which Meta echoes as biz_opaque_callback_data.
/// </summary>
public static class OutboundMessages
{
    public static MessageRow Text(ConversationRow conversation, string agentId, string body, DateTimeOffset now) => new()
    {
        TenantId = conversation.TenantId,
        ConversationId = conversation.ConversationId,
        Seq = conversation.MessageSeq,
        Direction = "out",
        Kind = "text",
        DisplayText = body,
        Body = body,
        Status = "pending",
        At = now,
        Version = conversation.Version,
        AgentId = agentId,
    };

    public static MessageRow Template(ConversationRow conversation, string agentId, MessageTemplate template, TemplateParameters parameters, DateTimeOffset now)
    {
        var preview = TemplateRenderer.Render(template, parameters);
        return new MessageRow
        {
            TenantId = conversation.TenantId,
            ConversationId = conversation.ConversationId,
            Seq = conversation.MessageSeq,
            Direction = "out",
            Kind = "template",
            DisplayText = preview.ToPlainText(),
            Body = preview.Body,
            Status = "pending",
            At = now,
            Version = conversation.Version,
            AgentId = agentId,
            TemplateName = template.Name,
            TemplateLanguage = template.Language,
            TemplateParametersJson = JsonSerializer.Serialize(ParametersDocument.From(parameters)),
            HeaderImage = preview.HeaderMediaUrl ?? preview.HeaderMediaId,
        };
    }

    /// <summary>The outbox entry that makes the dispatcher send <paramref name="message"/>.</summary>
    public static Entity OutboxRow(MessageRow message, DateTimeOffset now) => new(message.TenantId, Keys.Outbox(message.OurMessageId), new Dictionary<string, object?>
    {
        ["ConversationId"] = message.ConversationId,
        ["Seq"] = message.Seq,
        ["State"] = OutboxStates.Pending,
        ["Attempts"] = 0,
        ["NextAttemptAt"] = now,
        ["CreatedAt"] = now,
    });
}

public static class OutboxStates
{
    /// <summary>Not sent yet (or a retryable failure): send when NextAttemptAt has come.</summary>
    public const string Pending = "pending";
    /// <summary>A send is under way since InFlightSince.</summary>
    public const string InFlight = "inflight";
    /// <summary>The send may or may not have reached Meta: never re-sent blindly; settled by a status carrying our id.</summary>
    public const string Ambiguous = "ambiguous";
}

/// <summary>Template parameters as stored with the message (so a retry sends exactly what the agent chose).</summary>
public sealed record ParametersDocument(string? HeaderLink, string? HeaderMediaId, string? HeaderText, string[] Positional, Dictionary<string, string> Named, Dictionary<int, string> Buttons)
{
    public static ParametersDocument From(TemplateParameters p) => new(
        p.HeaderMedia?.Link, p.HeaderMedia?.MediaId, p.HeaderText, p.BodyPositional.ToArray(),
        new Dictionary<string, string>(p.BodyNamed, StringComparer.Ordinal), new Dictionary<int, string>(p.UrlButtonValues));

    public TemplateParameters ToParameters()
    {
        var p = Named.Count > 0 ? TemplateParameters.Named(Named) : TemplateParameters.Positional(Positional);
        if (HeaderLink is not null)
        {
            p = p.WithHeaderImageLink(HeaderLink);
        }
        else if (HeaderMediaId is not null)
        {
            p = p.WithHeaderMediaId(HeaderMediaId);
        }

        return p with { HeaderText = HeaderText, UrlButtonValues = Buttons };
    }
}

/// <summary>Wakes the outbox dispatcher after a commit (in-process); the retry timer covers anything missed.</summary>
public interface IOutboxSignal
{
    void Notify(string tenantId, string ourMessageId);
}
