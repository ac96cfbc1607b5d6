using Smartspace.Core.Templates;

namespace Smartspace.Meta.Graph;

/// <summary>Reads a WhatsApp Business Account's templates (the template sync job's port).</summary>
public interface IMessageTemplateSource
{
    /// <summary>Every template of <paramref name="wabaId"/>, all pages followed.</summary>
    /// <exception cref="GraphApiException">The Graph API refused the call.</exception>
    Task<IReadOnlyList<MessageTemplate>> ListTemplatesAsync(string wabaId, CancellationToken cancellationToken);
}
