using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Smartspace.Meta.Graph;
using Smartspace.Meta.Media;
using Smartspace.Meta.Options;
using Smartspace.Meta.Sending;

namespace Smartspace.Meta;

public static class MetaServiceCollectionExtensions
{
    /// <summary>HttpClient timeout of a Graph call; a send that times out is Ambiguous, never re-sent blindly.</summary>
    public static readonly TimeSpan GraphTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Binds section <c>Meta</c> to <see cref="MetaOptions"/> (validated on start, every error at once) and registers
    /// the typed <see cref="GraphApiClient"/> as <see cref="IWhatsAppSender"/> and <see cref="IMessageTemplateSource"/>.
    /// No retry handler on purpose: POST /messages has no idempotency key (see <see cref="OutboundRetryPolicy"/>).
    /// </summary>
    public static IServiceCollection AddMetaWhatsApp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<MetaOptions>().Bind(configuration.GetSection(MetaOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MetaOptions>, MetaOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient<GraphApiClient>(client => client.Timeout = GraphTimeout);
        services.TryAddTransient<IWhatsAppSender>(sp => sp.GetRequiredService<GraphApiClient>());
        services.TryAddTransient<IMessageTemplateSource>(sp => sp.GetRequiredService<GraphApiClient>());
        services.AddHttpClient<GraphMediaClient>(client => client.Timeout = GraphMediaClient.Timeout);
        services.TryAddTransient<IMetaMedia>(sp => sp.GetRequiredService<GraphMediaClient>());
        return services;
    }
}
