using Smartspace.Core.Messaging;

namespace Smartspace.Core.Meta;

/// <summary>
/// One Meta error (reference §7): in <c>value.errors[]</c>, <c>messages[].errors[]</c> or
/// <c>statuses[].errors[]</c>. Key logic on <see cref="Code"/> and <see cref="Details"/>; titles are
/// being deprecated by Meta.
/// </summary>
/// <param name="Code">Meta's numeric code, e.g. 131047.</param>
/// <param name="Title">Meta's title, if any.</param>
/// <param name="Message">Meta's message, if any.</param>
/// <param name="Details"><c>error_data.details</c>, if any.</param>
/// <param name="Href">Link to Meta's error page, if any.</param>
public sealed record MetaError(int Code, string? Title, string? Message, string? Details, string? Href)
{
    /// <summary>Meta 131047: more than 24 h since the customer's last message (P4).</summary>
    public const int ReengagementCode = 131047;

    /// <summary>The pt-BR explanation for the agent.</summary>
    public string AgentText => OutboundNotices.Failed(Code).Text;
}
