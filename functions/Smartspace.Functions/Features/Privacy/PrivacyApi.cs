using System.Globalization;
using Microsoft.Extensions.Options;
using Smartspace.Functions.Features.Admin;
using Smartspace.Functions.Hosting;

namespace Smartspace.Functions.Features.Privacy;

/// <summary>
/// LGPD endpoints of the agent API, supervisors only, always scoped to the caller's own contact center:
/// <c>POST /api/agent/admin/privacy/export</c>, <c>POST /api/agent/admin/privacy/erasure</c>,
/// <c>GET|PUT /api/agent/admin/privacy/settings</c> (retention) and <c>GET /api/agent/admin/audit</c>.
/// The customer goes in the body, never in the URL (URLs end up in access logs).
/// </summary>
public static class PrivacyApi
{
    public static void MapPrivacyApi(this RouteGroupBuilder agentApi)
    {
        var privacy = agentApi.MapGroup("/admin/privacy").WithTags("privacy");

        privacy.MapPost("/export", (HttpContext http, CustomerRequest body, CustomerExportHandler handler, CancellationToken ct) =>
                AdminApi.AsSupervisor(http, caller => handler.HandleAsync(caller, body, ct)))
            .WithSummary("Exports everything held about one customer as a zip archive (export.json + media).")
            .Produces(StatusCodes.Status200OK, contentType: CustomerExportHandler.ContentType);

        privacy.MapPost("/erasure", (HttpContext http, CustomerRequest body, CustomerErasureHandler handler, CancellationToken ct) =>
                AdminApi.AsSupervisor(http, caller => handler.HandleAsync(caller, body, ct)))
            .WithSummary("Erases one customer's personal data; finished conversations stay anonymized for reports.")
            .Produces<ErasureResult>();

        privacy.MapGet("/settings", (HttpContext http, RetentionSettingsStore settings, CancellationToken ct) =>
            AdminApi.AsSupervisor(http, async caller => Results.Ok((await settings.GetAsync(caller.TenantId, ct)).ToView())))
            .WithSummary("The contact center's retention of messages and media, in days.");

        privacy.MapPut("/settings", (HttpContext http, RetentionSettingsRequest body, RetentionSettingsStore settings, AuditTrail audit, CancellationToken ct) =>
            AdminApi.AsSupervisor(http, async caller =>
            {
                if (body.MessageRetentionDays is not { } messages || body.MediaRetentionDays is not { } media)
                {
                    return ApiProblems.BadRequest("messageRetentionDays and mediaRetentionDays are required.");
                }

                if (RetentionSettings.Check(TimeSpan.FromDays(messages), TimeSpan.FromDays(media)) is { } problem)
                {
                    return ApiProblems.BadRequest(problem);
                }

                var before = await settings.GetAsync(caller.TenantId, ct);
                await settings.SaveAsync(caller.TenantId, messages, media, ct);
                var after = await settings.GetAsync(caller.TenantId, ct);
                await audit.RecordAsync(caller.TenantId, AuditTrail.ActorOf(caller), AuditActions.PrivacySettings, "done", null, new { before = before.ToView(), after = after.ToView() }, ct);
                return Results.Ok(after.ToView());
            }))
            .WithSummary("Sets how many days messages and media are kept (1–3650; media no longer than messages).");

        agentApi.MapGet("/admin/audit", (HttpContext http, int? pageSize, string? continuationToken, AuditTrail audit, CancellationToken ct) =>
            AdminApi.AsSupervisor(http, async caller =>
            {
                var size = pageSize ?? 50;
                if (size is < 1 or > AuditTrail.MaxPageSize)
                {
                    return ApiProblems.BadRequest(string.Create(CultureInfo.InvariantCulture, $"pageSize must be between 1 and {AuditTrail.MaxPageSize}."));
                }

                if (continuationToken is not null && !continuationToken.StartsWith(Ledger.Keys.AuditPrefix, StringComparison.Ordinal))
                {
                    return ApiProblems.BadRequest("continuationToken is not valid.");
                }

                return Results.Ok(await audit.ReadAsync(caller.TenantId, size, continuationToken, ct));
            }))
            .WithTags("privacy")
            .WithSummary("The contact center's audit trail (exports, erasures, retention runs, admin changes), newest first.")
            .Produces<AuditPage>();
    }
}

public static class PrivacyServices
{
    /// <summary>The LGPD feature: export, erasure, retention (timer), audit trail, and the media plug point.</summary>
    public static IServiceCollection AddPrivacy(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<PrivacyOptions>().Bind(config.GetSection(PrivacyOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PrivacyOptions>, PrivacyOptionsValidator>();
        services.AddSingleton<IMediaFiles, StoredMediaFiles>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<CustomerRecordsReader>();
        services.AddSingleton<MessagePurge>();
        services.AddSingleton<CustomerExportHandler>();
        services.AddSingleton<CustomerErasureHandler>();
        services.AddSingleton<RetentionSettingsStore>();
        services.AddSingleton<RetentionSweeper>();
        services.AddSingleton<ITimerFunction, RetentionFunction>();
        return services;
    }
}
