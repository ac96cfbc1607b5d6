using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Smartspace.Meta.Options;

namespace Smartspace.Meta.Sandbox;

public static class MetaSandboxExtensions
{
    /// <summary>
    /// Registers the in-memory Meta sandbox (state, webhook dispatcher). Cheap when unused; the endpoints are
    /// mapped only by <see cref="MapMetaSandbox"/> and only when <c>Meta:SandboxEnabled</c> is true.
    /// Call <see cref="MetaServiceCollectionExtensions.AddMetaWhatsApp"/> too (it binds <see cref="MetaOptions"/>).
    /// </summary>
    public static IServiceCollection AddMetaSandbox(this IServiceCollection services, Action<MetaSandboxOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<MetaSandboxOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MetaSandbox>();
        services.TryAddSingleton<SandboxMediaStore>();
        services.TryAddSingleton<SandboxWebhookDispatcher>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SandboxWebhookDispatcher>(sp => sp.GetRequiredService<SandboxWebhookDispatcher>()));
        services.AddHttpClient(SandboxWebhookDispatcher.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(15));
        return services;
    }

    /// <summary>
    /// Maps the sandbox under <paramref name="prefix"/> when <c>Meta:SandboxEnabled</c> is true (otherwise maps nothing):
    /// <list type="bullet">
    /// <item><c>POST {prefix}/graph/{version}/{phone-number-id}/messages</c> — fake Graph send</item>
    /// <item><c>GET {prefix}/graph/{version}/{waba-id}/message_templates</c> — paged catalog</item>
    /// <item><c>POST {prefix}/customers/messages</c> — customer simulator (signed webhook)</item>
    /// <item><c>POST {prefix}/templates/{name}/status</c> — change a template's status (signed webhook)</item>
    /// <item><c>GET {prefix}/outbox</c>, <c>DELETE {prefix}/outbox</c>, <c>GET {prefix}/webhooks</c>, <c>GET {prefix}</c> (HTML)</item>
    /// </list>
    /// </summary>
    public static RouteGroupBuilder MapMetaSandbox(this IEndpointRouteBuilder endpoints, string prefix = "/sandbox")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(prefix).ExcludeFromDescription();
        var meta = endpoints.ServiceProvider.GetRequiredService<IOptions<MetaOptions>>().Value;
        if (!meta.SandboxEnabled)
        {
            return group;
        }

        group.MapPost("/graph/{version}/{phoneNumberId}/messages", SandboxGraphEndpoints.SendMessageAsync);
        group.MapGet("/graph/{version}/{wabaId}/message_templates", SandboxGraphEndpoints.ListTemplates);
        group.MapPost("/graph/{version}/{phoneNumberId}/media", SandboxMediaEndpoints.UploadAsync).DisableAntiforgery();
        group.MapGet("/graph/{version}/{mediaId}", SandboxMediaEndpoints.Lookup);
        group.MapGet("/media-download/{token}", SandboxMediaEndpoints.DownloadAsync);
        group.MapGet("/media/requests", (SandboxMediaStore media) => Results.Json(media.Requests, SandboxPayloads.Json));
        group.MapGet("/media/receipts", (SandboxMediaStore media) => Results.Json(media.Receipts, SandboxPayloads.Json));
        group.MapPost("/media/{mediaId}/expire", (string mediaId, SandboxMediaStore media) =>
            media.Expire(mediaId) ? Results.NoContent() : Results.Problem(detail: $"No media {mediaId}.", statusCode: StatusCodes.Status404NotFound));
        group.MapPost("/media/downloads/hold", (SandboxMediaStore media) =>
        {
            media.Hold();
            return Results.NoContent();
        });
        group.MapPost("/media/downloads/release", (SandboxMediaStore media) =>
        {
            media.Release();
            return Results.NoContent();
        });
        group.MapGet("/media/downloads/waiting", (SandboxMediaStore media) => Results.Json(new { waiting = media.Waiting }, SandboxPayloads.Json));
        group.MapPost("/customers/messages", SandboxCustomerEndpoints.CustomerMessageAsync);
        group.MapPost("/templates/{name}/status", SandboxCustomerEndpoints.TemplateStatusAsync);
        group.MapGet("/outbox", (MetaSandbox sandbox) => Results.Json(sandbox.Outbox, SandboxPayloads.Json));
        group.MapDelete("/outbox", (MetaSandbox sandbox) =>
        {
            sandbox.ClearOutbox();
            return Results.NoContent();
        });
        group.MapGet("/webhooks", (MetaSandbox sandbox) => Results.Json(sandbox.WebhookDeliveries, SandboxPayloads.Json));
        group.MapGet("/", (IOptions<MetaSandboxOptions> options) =>
            Results.Content(SandboxPage.Html(prefix, options.Value.DisplayPhoneNumbers.Keys.FirstOrDefault() ?? ""), "text/html; charset=utf-8"));
        return group;
    }
}
