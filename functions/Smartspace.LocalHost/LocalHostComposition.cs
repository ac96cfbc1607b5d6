using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Features.MetaWebhook;
using Smartspace.Functions.Features.Outbound;
using Smartspace.Functions.Features.Privacy;
using Smartspace.Functions.Features.Templates;
using Smartspace.Functions.Features.WindowExpiry;
using Smartspace.Functions.Hosting;
using Smartspace.Durable.Runtime;
using Smartspace.Meta.Sandbox;
using Smartspace.Realtime;

namespace Smartspace.LocalHost;

/// <summary>
/// Composition of the local host: the settings file, the shared services and endpoints of
/// <see cref="Composition"/>, and what exists only on a laptop — hosted timers, the Meta sandbox, the
/// embedded Web PubSub hub, development tokens and the demo seed (in <c>Local:Enabled</c> mode).
/// </summary>
public static class LocalHostComposition
{
    public static WebApplicationBuilder AddLocalHost(this WebApplicationBuilder builder, string[] args)
    {
        // Settings file (Functions local.settings format) first, then environment variables override it.
        builder.Configuration.AddLocalSettingsFile(LocalSettingsConfiguration.FindPath(args));
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
        HandlerUrls.Apply(builder);

        // Durable entities and orchestrations on DTFx + Azurite (in Azure the Durable extension runs them): registered first,
        // so the runtime is up before the start-up work (the seed configures the agents' entities).
        builder.Services.AddLocalDurableRuntime(builder.Configuration);
        builder.Logging.AddFilter("DurableTask", LogLevel.Warning);
        builder.AddSmartspace();
        var services = builder.Services;
        // In Azure the Function App's timer triggers run these sweeps; here hosted loops do (Timers:Hosted).
        services.AddHostedService<WindowExpiryTimer>();
        services.AddHostedService<OutboxSweepTimer>();
        services.AddHostedService<TemplateSyncTimer>();
        services.AddHostedService<RetentionTimer>();

        var config = builder.Configuration;
        if (config.GetValue<bool>("Local:Enabled") && config.GetValue<bool>("Meta:SandboxEnabled"))
        {
            // The embedded Meta sandbox speaks for the demo contact center's WABA and number.
            services.AddMetaSandbox(o =>
            {
                o.WabaId = "200300400500600";
                o.DisplayPhoneNumbers["100200300400500"] = "551140001234";
            });
        }

        return builder;
    }

    public static WebApplication MapLocalHost(this WebApplication app)
    {
        app.UseSmartspace();
        app.MapAgentConsole();
        app.MapSmartspaceFunctions();

        var local = app.Services.GetRequiredService<IOptions<LocalOptions>>().Value;
        if (local.Enabled)
        {
            var localOnly = app.MapGroup(string.Empty).LocalOnly();
            DevTokens.Map(localOnly, app.Services, app.Environment);
            app.MapBenchBaseline(app.Configuration);
            MapTimersOnDemand(localOnly);
            localOnly.MapMetaSandbox("/sandbox").AllowAnonymous();
            app.MapEmbeddedWebPubSubHub(localOnly, mapHealth: false);
        }

        return app;
    }

    /// <summary><c>POST /api/local/timers/{name}</c>: runs a timer function's work now (local mode only; in Azure only the schedule runs it).</summary>
    private static void MapTimersOnDemand(IEndpointRouteBuilder localOnly)
    {
        localOnly.MapPost("/api/local/timers/{name}", async (string name, bool? pastDue, IEnumerable<ITimerFunction> timers, CancellationToken ct) =>
        {
            var timer = timers.FirstOrDefault(t => t.Name == name);
            if (timer is null)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "timer_not_found", detail: $"There is no timer function named '{name}'.",
                    extensions: new Dictionary<string, object?> { ["code"] = "timer_not_found" });
            }

            var result = await timer.RunAsync(new TimerRun(pastDue ?? false), ct);
            return Results.Json(new JsonObject
            {
                ["logs"] = new JsonArray(result.Logs.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
                ["returnValue"] = result.ReturnValue?.DeepClone(),
            }, JsonSerializerOptions.Web);
        }).AllowAnonymous().ExcludeFromDescription();
    }
}
