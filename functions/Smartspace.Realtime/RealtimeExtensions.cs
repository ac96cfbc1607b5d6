using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smartspace.Realtime.Events;
using Smartspace.Realtime.Hub;
using Smartspace.Realtime.Options;
using Smartspace.Realtime.Publishing;

namespace Smartspace.Realtime;

public static class RealtimeExtensions
{
    /// <summary>
    /// Registers the realtime port and its adapters from the <c>WebPubSub</c> section (validated on
    /// start, every error at once): <see cref="IRealtimePublisher"/> (in-process hub when
    /// <c>Mode=Embedded</c>, REST when <c>Mode=Azure</c>), <see cref="IClientAccessUrlFactory"/>,
    /// <see cref="WebPubSubEventValidator"/>, <see cref="EmbeddedHub"/> and <see cref="WebPubSubRestPublisher"/>.
    /// Registers <see cref="TimeProvider.System"/> unless a TimeProvider is already registered.
    /// </summary>
    public static IServiceCollection AddSmartspaceRealtime(this IServiceCollection services, IConfiguration section)
    {
        services.AddOptions<WebPubSubOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebPubSubOptions>, WebPubSubOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(EventHandlerDelivery.HttpClientName);
        services.AddHttpClient(WebPubSubRestPublisher.HttpClientName);

        services.TryAddSingleton<IClientAccessUrlFactory, ClientAccessUrlFactory>();
        services.TryAddSingleton(sp => new WebPubSubEventValidator([sp.GetRequiredService<IOptions<WebPubSubOptions>>().Value.AccessKey]));
        services.TryAddSingleton<WebPubSubRestPublisher>();

        services.TryAddSingleton<IHubEventSink>(sp =>
            string.IsNullOrEmpty(sp.GetRequiredService<IOptions<WebPubSubOptions>>().Value.EventHandlerUrl)
                ? new NoEventSink()
                : ActivatorUtilities.CreateInstance<EventHandlerDelivery>(sp));
        services.TryAddSingleton(sp => new EmbeddedHub(
            sp.GetRequiredService<IOptions<WebPubSubOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IHubEventSink>(),
            sp.GetRequiredService<ILogger<EmbeddedHub>>()));
        services.TryAddSingleton<ClientEndpoint>();
        services.TryAddSingleton<RestApi>();
        services.TryAddSingleton<EmbeddedHubPublisher>();

        services.TryAddSingleton<IRealtimePublisher>(sp =>
            sp.GetRequiredService<IOptions<WebPubSubOptions>>().Value.Mode == WebPubSubMode.Azure
                ? sp.GetRequiredService<WebPubSubRestPublisher>()
                : sp.GetRequiredService<EmbeddedHubPublisher>());
        return services;
    }

    /// <summary>
    /// When <c>Mode=Embedded</c>: adds the WebSocket middleware itself (harmless if the host added it
    /// too) and maps the client endpoint <c>/client/hubs/{hub}</c>, the REST API under
    /// <c>/api/hubs/{hub}</c> and <c>/api/health</c>. When <c>Mode=Azure</c>: maps nothing.
    /// </summary>
    public static WebApplication MapEmbeddedWebPubSubHub(this WebApplication app) => app.MapEmbeddedWebPubSubHub(app);

    /// <summary>
    /// Same as <see cref="MapEmbeddedWebPubSubHub(WebApplication)"/>, mapping the hub's routes on
    /// <paramref name="endpoints"/> (e.g. a route group carrying the host's own metadata).
    /// </summary>
    /// <param name="mapHealth">False when the host serves <c>/api/health</c> itself (the handler does).</param>
    public static WebApplication MapEmbeddedWebPubSubHub(this WebApplication app, IEndpointRouteBuilder endpoints, bool mapHealth = true)
    {
        var options = app.Services.GetRequiredService<IOptions<WebPubSubOptions>>().Value;
        if (options.Mode != WebPubSubMode.Embedded)
        {
            return app;
        }

        app.UseWebSockets();
        var hub = app.Services.GetRequiredService<EmbeddedHub>();
        app.Lifetime.ApplicationStopping.Register(hub.AbortAll);
        endpoints.Map("/client/hubs/{hub}", (HttpContext context, string hub) =>
            context.RequestServices.GetRequiredService<ClientEndpoint>().HandleAsync(context, hub));
        RestApi.Map(endpoints, options.EnableTestHooks, mapHealth);
        return app;
    }
}
