using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Azure.Monitor.OpenTelemetry.Exporter;
using Smartspace.Functions.Features;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Features.Conversations;
using Smartspace.Functions.Features.FinishConversation;
using Smartspace.Functions.Features.History;
using Smartspace.Functions.Features.Media;
using Smartspace.Functions.Features.MetaWebhook;
using Smartspace.Functions.Features.Outbound;
using Smartspace.Functions.Features.Privacy;
using Smartspace.Functions.Features.Routing;
using Smartspace.Functions.Features.Seed;
using Smartspace.Functions.Features.SendMessage;
using Smartspace.Functions.Features.StartConversation;
using Smartspace.Functions.Features.Templates;
using Smartspace.Functions.Features.WindowExpiry;
using Smartspace.Functions.Health;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Meta;
using Smartspace.Realtime;
using Smartspace.Realtime.Options;
using Smartspace.Functions.Features.Negotiate;
using Smartspace.Storage;
using Smartspace.Durable.Effects;
using Smartspace.Durable.Entities;
using Smartspace.Durable.Placement;

namespace Smartspace.Functions.Hosting;

/// <summary>Composition only: the services, middleware and endpoints both hosts share.</summary>
public static class Composition
{
    /// <summary>
    /// The services both hosts share (the Function App and the local host): options, the store, Web PubSub,
    /// Meta, every feature, authentication, OpenAPI and telemetry. Configuration sources are the host's own.
    /// </summary>
    public static IHostApplicationBuilder AddSmartspace(this IHostApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<LocalOptions>().Bind(config.GetSection(LocalOptions.Section)).ValidateOnStart();
        services.AddOptions<AuthOptions>().Bind(config.GetSection(AuthOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddOptions<TimersOptions>().Bind(config.GetSection(TimersOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TimersOptions>, TimersOptionsValidator>();
        services.AddOptions<TelemetryOptions>().Bind(config.GetSection(TelemetryOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        services.AddOptions<SeedOptions>().Bind(config.GetSection(SeedOptions.Section));

        services.AddEntityStore(config.GetSection("Storage"));
        services.AddSmartspaceRealtime(config.GetSection("WebPubSub"));
        services.PostConfigure<WebPubSubOptions>(o =>
        {
            // The embedded hub delivers connected/disconnected to this app's own event endpoint.
            if (o.Mode == WebPubSubMode.Embedded && string.IsNullOrEmpty(o.EventHandlerUrl) && Uri.TryCreate(o.Endpoint, UriKind.Absolute, out var endpoint))
            {
                o.EventHandlerUrl = new Uri(endpoint, "/api/webpubsub/events").ToString();
            }
        });
        services.AddSingleton<IAgentEventSink, RealtimeEventSink>();
        services.AddMetaWhatsApp(config);

        services.AddSingleton<LedgerStore>();
        services.AddSingleton<ContactCenterDirectory>();
        services.AddSingleton<TemplateCatalog>();
        services.AddSingleton<QueueRouter>();
        services.AddSingleton<RoutingSignal>();
        // The ports the Durable entities and orchestrations call (the host registers IConversationEntities, the client).
        services.AddSingleton<IInboundPlacement, TablesInboundPlacement>();
        services.AddSingleton<IAgentAvailabilityEffects, AgentAvailabilityEffects>();
        services.AddSingleton<IConversationEffects, TablesConversationEffects>();
        services.AddSingleton<AgentAvailability>();
        services.AddSingleton<OutboundEffects>();
        services.AddSingleton<WebhookMetrics>();
        services.AddSingleton<InboundMessageProcessor>();
        services.AddSingleton<StatusProcessor>();
        services.AddSingleton<WebhookIngestion>();
        services.AddSingleton<StartConversationHandler>();
        services.AddSingleton<SendMessageHandler>();
        services.AddSingleton<FinishConversationHandler>();
        services.AddSingleton<ConversationQueries>();
        services.AddSingleton<HistoryHandler>();
        services.AddSingleton<SeedLoader>();
        services.AddOptions<AgentApiOptions>().Bind(config.GetSection(AgentApiOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentApiOptions>, AgentApiOptionsValidator>();
        services.AddAgentApiRateLimits();
        services.AddSingleton<AgentTokenIssuer>();
        services.AddSingleton<IAgentEventPublisher, CompositeEventPublisher>();
        services.AddOutbound();
        services.AddSingleton<Leases>();
        services.AddSingleton<WindowExpirySweeper>();
        services.AddSingleton<ITimerFunction, WindowExpiryFunction>();
        services.AddSingleton<TemplateSync>();
        services.AddSingleton<ITimerFunction, TemplateSyncFunction>();
        services.AddPrivacy(config);
        services.AddMedia();
        services.AddHostedService<StartupTasks>();

        AddAuthentication(builder);
        services.AddOpenApi("v1", o => o.AddBearerScheme());
        services.AddProblemDetails();
        // Bad input is reported by our exception handler as a 400 with its reason, in every environment.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase);
        AddTelemetry(builder);
        return builder;
    }

    /// <summary>
    /// The middleware in front of the functions' endpoints, in both hosts: bad input and an unreachable
    /// store become 400/503 problems (never a 500), every empty 4xx a problem, the agent API's body limit, then
    /// authentication, authorization and the per-agent rate limit.
    /// </summary>
    public static IApplicationBuilder UseSmartspace(this IApplicationBuilder app)
    {
        StartupValidation.ValidateAll(app.ApplicationServices);
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = HttpProblems.WriteUnhandledAsync,
            // Bad input and an unreachable store are expected outcomes, answered 400/503, not errors to log as crashes.
            SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException or JsonException or StoreUnavailableException,
        });
        // An empty 4xx (unknown route, wrong method, a bare status) gets a problem+json body too.
        app.UseStatusCodePages(HttpProblems.WriteStatusAsync);
        app.UseAgentApiBodyLimit();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>
    /// Every route an HTTP function serves: the WhatsApp webhook, the agent API, negotiate and the Web PubSub
    /// event handler, health and the OpenAPI document. The Function App dispatches each function's requests
    /// to these endpoints; the local host maps them directly. Nothing local-only is here.
    /// </summary>
    public static IEndpointRouteBuilder MapSmartspaceFunctions(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealth();
        endpoints.MapWhatsAppWebhook();
        endpoints.MapAgentApi();
        endpoints.MapOpenApi("/api/openapi/{documentName}.json").AllowAnonymous();
        endpoints.MapRealtimeEndpoints();
        return endpoints;
    }

    private static void AddAuthentication(IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<IOptions<AuthOptions>, TimeProvider>((o, options, time) =>
        {
            var auth = options.Value;
            o.MapInboundClaims = false;
            if (!string.IsNullOrWhiteSpace(auth.Authority))
            {
                o.Authority = auth.Authority;
                o.TokenValidationParameters = new TokenValidationParameters { ValidAudience = auth.Audience, ValidateIssuer = true, RoleClaimType = Caller.RoleClaim };
            }
            else
            {
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth.Issuer,
                    ValidAudience = auth.Audience,
                    IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(auth.SigningKey)),
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ClockSkew = TimeSpan.FromSeconds(30),
                    RoleClaimType = Caller.RoleClaim,
                };
            }

            // No token, or a token that fails validation: 401 problem+json (with the WWW-Authenticate challenge), like every other 4xx.
            o.Events = new JwtBearerEvents { OnChallenge = WriteChallengeAsync };

            // Token lifetimes follow the product's clock (TimeProvider), like every other time rule.
            o.TokenValidationParameters.LifetimeValidator = (notBefore, expires, _, parameters) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                var skew = parameters.ClockSkew;
                return (notBefore is null || notBefore.Value <= now + skew) && (expires is null || expires.Value > now - skew);
            };
        });
        builder.Services.AddAuthorization();
    }

    private static void AddTelemetry(IHostApplicationBuilder builder)
    {
        var telemetry = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (telemetry.Exporter == TelemetryExporter.None)
        {
            return; // nothing is exported by default, so nothing is collected either (no per-request activity cost)
        }

        var otel = builder.Services.AddOpenTelemetry()
            .WithTracing(t => t.AddSource("Smartspace").AddAspNetCoreInstrumentation().AddHttpClientInstrumentation())
            .WithMetrics(m => m.AddMeter(WebhookMetrics.MeterName).AddAspNetCoreInstrumentation());
        switch (telemetry.Exporter)
        {
            case TelemetryExporter.Otlp:
                otel.WithTracing(t => t.AddOtlpExporter(o => o.Endpoint = new Uri(telemetry.OtlpEndpoint)))
                    .WithMetrics(m => m.AddOtlpExporter(o => o.Endpoint = new Uri(telemetry.OtlpEndpoint)));
                break;
            case TelemetryExporter.AzureMonitor:
                var connection = builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
                otel.WithTracing(t => t.AddAzureMonitorTraceExporter(o => o.ConnectionString = connection))
                    .WithMetrics(m => m.AddAzureMonitorMetricExporter(o => o.ConnectionString = connection));
                break;
        }
    }

    private static async Task WriteChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var (challenge, detail) = context.AuthenticateFailure switch
        {
            null => ("Bearer", "A valid bearer token is required."),
            SecurityTokenExpiredException or SecurityTokenInvalidLifetimeException => ("Bearer error=\"invalid_token\", error_description=\"The token is expired or not yet valid\"", "The bearer token has expired or is not valid yet."),
            _ => ("Bearer error=\"invalid_token\"", "The bearer token is not valid for this API (signature, issuer, audience or lifetime)."),
        };
        context.Response.Headers.WWWAuthenticate = challenge;
        await ApiProblems.Unauthenticated(detail).ExecuteAsync(context.HttpContext);
    }
}
