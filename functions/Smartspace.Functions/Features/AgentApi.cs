using Smartspace.Durable.Client;
using Smartspace.Core.Conversations;
using Smartspace.Core.Templates;
using Smartspace.Functions.Features.Admin;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Features.Conversations;
using Smartspace.Functions.Features.FinishConversation;
using Smartspace.Functions.Features.History;
using Smartspace.Functions.Features.Media;
using Smartspace.Functions.Features.Numbers;
using Smartspace.Functions.Features.Privacy;
using Smartspace.Functions.Features.Routing;
using Smartspace.Functions.Features.SendMessage;
using Smartspace.Functions.Features.StartConversation;
using Smartspace.Functions.Features.Templates;
using Smartspace.Functions.Hosting;
using Smartspace.Functions.Ledger;

namespace Smartspace.Functions.Features;

/// <summary>The agent API under <c>/api/agent/</c>: JSON over HTTP with a bearer JWT; every call is scoped to the caller's contact center.</summary>
public static class AgentApi
{
    public static RouteGroupBuilder MapAgentApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/agent").RequireAuthorization().RequireRateLimiting(AgentApiRateLimits.Policy).WithTags("agent");

        api.MapGet("/me", async (HttpContext http, LedgerStore ledger, IConversationEntities entities, CancellationToken ct) =>
            await WithCaller(http, async caller =>
            {
                var agent = await ledger.GetAgentAsync(caller.TenantId, caller.AgentId, ct);
                if (agent is null)
                {
                    return ApiProblems.Refusal(RefusalCode.AgentNotFound);
                }

                var capacity = await entities.GetAgentAsync(caller.TenantId, caller.AgentId, ct);
                return Results.Ok(new { agent.AgentId, agent.Name, role = agent.Role.ToString().ToLowerInvariant(), tenantId = caller.TenantId, capacity.MaxConcurrent, open = capacity.Held.Count, capacity.Available, capacity.Version });
            }));

        api.MapPost("/me/status", async (HttpContext http, AvailabilityRequest body, AgentAvailability availability, CancellationToken ct) =>
            await WithCaller(http, caller => body.Available is { } available
                ? availability.SetAsync(caller.TenantId, caller.AgentId, available, ct)
                : Task.FromResult(ApiProblems.BadRequest("available (true or false) is required."))));

        api.MapPost("/numbers/check", async (HttpContext http, NumberCheckRequest body) =>
            await WithCaller(http, _ => Task.FromResult(Results.Ok(NumberCheck.Check(body.Number)))));

        api.MapGet("/channels", async (HttpContext http, ContactCenterDirectory directory, CancellationToken ct) =>
            await WithCaller(http, async caller =>
            {
                var channels = await directory.GetChannelsOfTenantAsync(caller.TenantId, ct);
                return Results.Ok(new
                {
                    channels = channels.Select(c => new { c.ChannelId, c.DisplayNumber, c.Name }),
                    preselectedChannelId = channels.Count == 1 ? channels[0].ChannelId : null,
                });
            }));

        api.MapGet("/channels/{channelId}/templates", async (HttpContext http, string channelId, ContactCenterDirectory directory, TemplateCatalog templates, CancellationToken ct) =>
            await WithCaller(http, async caller =>
            {
                var channel = await directory.GetChannelAsync(channelId, ct);
                if (channel is null || channel.TenantId != caller.TenantId)
                {
                    return ApiProblems.Refusal(RefusalCode.ChannelNotFound);
                }

                var list = await templates.ListAsync(caller.TenantId, channel.WabaId, ct);
                return Results.Ok(new { templates = list.Where(t => t.IsSendable).OrderBy(t => t.Name, StringComparer.Ordinal).Select(TemplateView.From) });
            }));

        api.MapPost("/channels/{channelId}/templates/preview", async (HttpContext http, string channelId, TemplateRequest body, ContactCenterDirectory directory, TemplateCatalog templates, CancellationToken ct) =>
            await WithCaller(http, async caller =>
            {
                if (body.Validate() is { } error)
                {
                    return ApiProblems.BadRequest(error);
                }

                var channel = await directory.GetChannelAsync(channelId, ct);
                if (channel is null || channel.TenantId != caller.TenantId)
                {
                    return ApiProblems.Refusal(RefusalCode.ChannelNotFound);
                }

                var template = await templates.GetAsync(caller.TenantId, channel.WabaId, body.Name, body.Language, ct);
                if (template is null || !template.IsSendable)
                {
                    return ApiProblems.Refusal(RefusalCode.TemplateNotApproved);
                }

                var parameters = body.ToParameters();
                var preview = TemplateRenderer.Render(template, parameters);
                var problems = TemplateValidator.Validate(template, parameters);
                return Results.Ok(new
                {
                    template = TemplateView.From(template),
                    headerImage = preview.HeaderMediaUrl,
                    headerMediaId = preview.HeaderMediaId,
                    headerText = preview.HeaderText,
                    body = preview.Body,
                    footer = preview.Footer,
                    text = preview.ToPlainText(),
                    complete = problems.Count == 0,
                    problems = problems.Select(p => new { kind = p.Kind.ToString(), p.Detail, p.MetaErrorCode }),
                });
            }));

        api.MapPost("/conversations", async (HttpContext http, StartConversationRequest body, StartConversationHandler handler, CancellationToken ct) =>
            await WithCaller(http, caller => handler.HandleAsync(caller, body, ct)));

        api.MapGet("/conversations", async (HttpContext http, ConversationQueries queries, CancellationToken ct) =>
            await WithCaller(http, caller => queries.ListAsync(caller, ct)));

        api.MapGet("/conversations/{conversationId}", async (HttpContext http, string conversationId, long? afterVersion, ConversationQueries queries, CancellationToken ct) =>
            await WithCaller(http, caller => afterVersion is < 0
                ? Task.FromResult(ApiProblems.BadRequest("afterVersion must not be negative."))
                : queries.GetAsync(caller, conversationId, afterVersion ?? 0, ct)));

        api.MapPost("/conversations/{conversationId}/messages", async (HttpContext http, string conversationId, SendTextRequest body, SendMessageHandler handler, CancellationToken ct) =>
            await WithCaller(http, caller => handler.SendTextAsync(caller, conversationId, body, ct)));

        api.MapPost("/conversations/{conversationId}/templates", async (HttpContext http, string conversationId, SendTemplateRequest body, SendMessageHandler handler, CancellationToken ct) =>
            await WithCaller(http, caller => handler.SendTemplateAsync(caller, conversationId, body, ct)));

        api.MapPost("/conversations/{conversationId}/finish", async (HttpContext http, string conversationId, FinishRequest body, FinishConversationHandler handler, CancellationToken ct) =>
            await WithCaller(http, caller => handler.HandleAsync(caller, conversationId, body, ct)));

        api.MapGet("/history", async (HttpContext http, HistoryHandler handler, CancellationToken ct) =>
            await WithCaller(http, caller =>
            {
                var query = HistoryHandler.Parse(http.Request, out var error);
                return error is not null ? Task.FromResult(ApiProblems.BadRequest(error)) : handler.SearchAsync(caller, query, ct);
            }));

        api.MapGet("/qualifications", async (HttpContext http, LedgerStore ledger, CancellationToken ct) =>
            await WithCaller(http, async caller =>
            {
                var rows = await ledger.QueryAllAsync(caller.TenantId, Keys.ReasonPrefix, ct);
                return Results.Ok(new { qualifications = rows.Select(r => new { id = r.RowKey[Keys.ReasonPrefix.Length..], name = r.GetString("Name") }) });
            }));

        api.MapMediaApi();
        api.MapAdminApi();
        api.MapPrivacyApi();
        api.MapBotApi();
        return api;
    }

    /// <summary>
    /// Resolves the caller from the validated token and authorizes them against their stored agent row on every
    /// request: a token without agent/contact-center claims is 401; an agent no longer registered in that
    /// contact center is 403; the role is the stored one, so a demotion or a removal takes effect at once.
    /// </summary>
    public static async Task<IResult> WithCaller(HttpContext http, Func<Caller, Task<IResult>> action)
    {
        var claimed = Caller.From(http.User);
        if (claimed is null)
        {
            return ApiProblems.Unauthenticated();
        }

        var agent = await http.RequestServices.GetRequiredService<LedgerStore>().GetAgentAsync(claimed.TenantId, claimed.AgentId, http.RequestAborted);
        return agent is null
            ? ApiProblems.Refusal(RefusalCode.Forbidden, "The agent is not registered in this contact center.")
            : await action(claimed with { Role = agent.Role });
    }
}

public sealed record AvailabilityRequest(bool? Available);

public sealed record TemplateView(string Name, string Language, string Category, string Status, string ParameterFormat, string HeaderFormat, string? HeaderExample, string Body, string? Footer, IReadOnlyList<string> Variables, IReadOnlyList<TemplateButton> Buttons)
{
    public static TemplateView From(MessageTemplate t) => new(
        t.Name, t.Language, t.Category, TemplateStatusNames.ToMetaName(t.Status), t.ParameterFormat.ToString().ToLowerInvariant(),
        t.Header switch
        {
            TemplateHeader.Image => "image",
            TemplateHeader.Video => "video",
            TemplateHeader.Document => "document",
            TemplateHeader.Text => "text",
            TemplateHeader.Location => "location",
            TemplateHeader.None => "none",
            _ => "unsupported",
        },
        t.Header switch { TemplateHeader.Image i => i.ExampleLink, TemplateHeader.Text x => x.Value, _ => null },
        t.BodyText, t.FooterText, t.BodyVariables, t.Buttons);
}
