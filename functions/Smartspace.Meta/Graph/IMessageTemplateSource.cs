using Smartspace.Core.Templates;

namespace Smartspace.Meta.Graph;

/// <summary>Reads a WhatsApp Business Account's templates (the template sync job's port).</summary>
public interface IMessageTemplateSource
{
    /// <summary>
    /// Every template of <paramref name="wabaId"/>, all pages followed. Never throws for an upstream failure (an error
    /// answer, a timeout, a malformed body): the listing then holds the pages read before it and says what failed.
    /// </summary>
    Task<TemplateListing> ListTemplatesAsync(string wabaId, CancellationToken cancellationToken);
}

/// <summary>What a template listing returned: the templates of the pages read, and the problem that stopped it, if any.</summary>
public sealed record TemplateListing(IReadOnlyList<MessageTemplate> Templates, TemplateListingProblem? Problem = null)
{
    /// <summary>True when every page was read: only then does a template's absence mean Meta deleted it.</summary>
    public bool Complete => Problem is null;
}

/// <param name="Page">1-based page that failed.</param>
/// <param name="Code">Meta's error code, if the Graph API answered one.</param>
/// <param name="HttpStatus">HTTP status, if an answer came.</param>
/// <param name="Reason">What went wrong, for logs and the sync's report (never a token).</param>
public sealed record TemplateListingProblem(int Page, int? Code, int? HttpStatus, string Reason);
