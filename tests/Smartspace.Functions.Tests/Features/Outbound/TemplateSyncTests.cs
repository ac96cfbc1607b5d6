using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Smartspace.Core.Templates;
using Smartspace.Functions.Features.Templates;
using Smartspace.Functions.Health;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Features.MetaWebhook;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Meta.Graph;
using Smartspace.Meta.Options;

namespace Smartspace.Functions.Tests.Features.Outbound;

/// <summary>
/// P5: the template catalog follows Meta — the sync copies every page of <c>GET /{waba-id}/message_templates</c>,
/// status changes between syncs update it, the <c>message_template_status_update</c> webhook changes it in
/// between, and only APPROVED templates are offered. (Kept next to the outbound tests: the catalog is what
/// the outbox sends from.)
/// </summary>
public sealed class TemplateSyncTests : IDisposable
{
    private const string DemoWaba = "200300400500600";
    private readonly HandlerFactory factory = new();
    private readonly FakeTemplateSource source = new();

    private TemplateSync Sync(IMessageTemplateSource templates) => factory.TemplateSync(templates);

    private async Task<List<(string Name, string Status)>> ListedAsync()
    {
        var json = await factory.ClientFor("ana").GetJsonAsync($"/api/agent/channels/{HandlerFactory.ChannelId}/templates");
        return json.GetProperty("templates").EnumerateArray()
            .Select(t => (t.GetProperty("name").GetString()!, t.GetProperty("status").GetString()!)).ToList();
    }

    private Task<MessageTemplate?> StoredAsync(string name) =>
        factory.Get<TemplateCatalog>().GetAsync(HandlerFactory.TenantId, DemoWaba, name, "pt_BR", CancellationToken.None);

    private List<AgentEvent> TemplateEvents() => factory.Events.Events.Where(e => e.Type == AgentEventTypes.TemplateChanged).ToList();

    private static MessageTemplate Template(string id, string name, TemplateStatus status, string body = "Olá {{1}}, tudo certo?") =>
        new(id, name, "pt_BR", "UTILITY", status, TemplateParameterFormat.Positional, TemplateHeader.None.Instance, body, null, []);

    [Fact]
    public async Task P5_Sync_StoresMetasTemplates_AndOnlyApprovedAreListed()
    {
        source.Set(DemoWaba,
            Template("1", "boas_vindas", TemplateStatus.Approved),
            Template("2", "lembrete_pagamento", TemplateStatus.Pending),
            Template("3", "aviso_atraso", TemplateStatus.Rejected),
            Template("900000000000003", "promocao_pendente", TemplateStatus.Approved, "Oferta especial para você, {{1}}!"));

        var synced = (await Sync(source).RunAsync(CancellationToken.None)).Changed;

        // 4 listed by Meta + the 2 seeded templates Meta no longer lists, which become DELETED and stop being offered.
        Assert.Equal(6, synced);
        Assert.Equal(TemplateStatus.Deleted, (await StoredAsync("retomada_atendimento"))!.Status);
        Assert.Equal(TemplateStatus.Pending, (await StoredAsync("lembrete_pagamento"))!.Status);
        Assert.Equal(TemplateStatus.Rejected, (await StoredAsync("aviso_atraso"))!.Status);
        Assert.Equal("Olá {{1}}, tudo certo?", (await StoredAsync("boas_vindas"))!.BodyText);
        Assert.Equal(
            [("boas_vindas", "APPROVED"), ("promocao_pendente", "APPROVED")],
            await ListedAsync());
        Assert.Contains(DemoWaba, source.Asked);
        Assert.Contains("200300400500999", source.Asked); // every contact center's WABA
    }

    [Fact]
    public async Task P5_StatusChangeBetweenSyncs_UpdatesTheCatalogAndIsAnnounced()
    {
        source.Set(DemoWaba, Template("1", "boas_vindas", TemplateStatus.Approved), Template("2", "lembrete_pagamento", TemplateStatus.Pending));
        await Sync(source).RunAsync(CancellationToken.None);
        var eventsBefore = TemplateEvents().Count;

        // Unchanged: nothing stored again, nothing announced.
        Assert.Equal(0, (await Sync(source).RunAsync(CancellationToken.None)).Changed);
        Assert.Equal(eventsBefore, TemplateEvents().Count);

        source.Set(DemoWaba, Template("1", "boas_vindas", TemplateStatus.Paused), Template("2", "lembrete_pagamento", TemplateStatus.Approved));
        Assert.Equal(2, (await Sync(source).RunAsync(CancellationToken.None)).Changed);

        Assert.Equal(TemplateStatus.Paused, (await StoredAsync("boas_vindas"))!.Status);
        var listed = (await ListedAsync()).Select(t => t.Name).ToList();
        Assert.DoesNotContain("boas_vindas", listed);
        Assert.Contains("lembrete_pagamento", listed);
        var announced = TemplateEvents().Skip(eventsBefore).Select(e => JsonSerializer.Serialize(e.Data, HttpJson.Options)).ToList();
        Assert.Equal(2, announced.Count);
        Assert.Contains(announced, e => e.Contains("\"name\":\"boas_vindas\"", StringComparison.Ordinal) && e.Contains("\"status\":\"PAUSED\"", StringComparison.Ordinal));
        Assert.All(TemplateEvents(), e => Assert.Equal(HandlerFactory.TenantId, e.TenantId));
    }

    [Fact]
    public async Task P5_SyncThroughTheGraphClient_FollowsEveryPage()
    {
        var graph = new PagedTemplatesHandler(DemoWaba,
        [
            [GraphTemplate("11", "pagina_um", "APPROVED"), GraphTemplate("12", "pagina_um_b", "PENDING")],
            [GraphTemplate("21", "pagina_dois", "APPROVED")],
            [GraphTemplate("31", "pagina_tres", "PAUSED")],
        ]);
        var client = new GraphApiClient(new HttpClient(graph), factory.Get<IOptionsMonitor<MetaOptions>>(), NullLogger<GraphApiClient>.Instance);

        // 4 templates over 3 pages + the 3 seeded ones absent from Meta's listing (now DELETED).
        Assert.Equal(7, (await Sync(client).RunAsync(CancellationToken.None)).Changed);

        var demoPages = graph.Requests.Where(r => r.AbsolutePath.Contains(DemoWaba, StringComparison.Ordinal)).ToList();
        Assert.Equal(3, demoPages.Count);
        Assert.All(graph.Authorizations, a => Assert.Equal("Bearer test-access-token", a));
        Assert.All(demoPages, r => Assert.EndsWith($"/v23.0/{DemoWaba}/message_templates", r.AbsolutePath, StringComparison.Ordinal));
        Assert.All(demoPages, r => Assert.Contains("fields=", r.Query, StringComparison.Ordinal));
        Assert.Equal(TemplateStatus.Paused, (await StoredAsync("pagina_tres"))!.Status);
        Assert.Equal(TemplateStatus.Pending, (await StoredAsync("pagina_um_b"))!.Status);
        var listed = (await ListedAsync()).Select(t => t.Name).ToList();
        Assert.Contains("pagina_um", listed);
        Assert.Contains("pagina_dois", listed);
        Assert.DoesNotContain("pagina_um_b", listed);
        Assert.DoesNotContain("pagina_tres", listed);
    }

    [Fact]
    public async Task P5_StatusWebhook_PausedHidesAndApprovedShowsAgain_EachAnnounced()
    {
        var before = TemplateEvents().Count;

        await (await factory.PostWebhookAsync(WebhookJson.TemplateStatus("retomada_atendimento", "PAUSED"))).AssertOkAsync();

        Assert.DoesNotContain("retomada_atendimento", (await ListedAsync()).Select(t => t.Name));
        Assert.Equal(TemplateStatus.Paused, (await StoredAsync("retomada_atendimento"))!.Status);
        var paused = Assert.Single(TemplateEvents().Skip(before));
        Assert.Null(paused.ConversationId);
        var pausedData = JsonSerializer.Serialize(paused.Data, HttpJson.Options);
        Assert.Contains("\"name\":\"retomada_atendimento\"", pausedData, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"PAUSED\"", pausedData, StringComparison.Ordinal);

        await (await factory.PostWebhookAsync(WebhookJson.TemplateStatus("retomada_atendimento", "APPROVED"))).AssertOkAsync();

        Assert.Contains(("retomada_atendimento", "APPROVED"), await ListedAsync());
        var approved = TemplateEvents().Skip(before + 1).Single();
        Assert.Contains("\"status\":\"APPROVED\"", JsonSerializer.Serialize(approved.Data, HttpJson.Options), StringComparison.Ordinal);
    }

    [Fact]
    public async Task P5_SyncFailureForOneWaba_KeepsTheCatalogAndTheOthersSync()
    {
        var failing = new FailingForWabaSource(DemoWaba, source);
        source.Set("200300400500999", Template("9", "outro_modelo", TemplateStatus.Approved));

        Assert.Equal(1, (await Sync(failing).RunAsync(CancellationToken.None)).Changed);

        Assert.Equal(
            [("confirmacao_pedido", "APPROVED"), ("retomada_atendimento", "APPROVED")],
            await ListedAsync());
        Assert.NotNull(await factory.Get<TemplateCatalog>().GetAsync("outro", "200300400500999", "outro_modelo", "pt_BR", CancellationToken.None));
    }

    private static string GraphTemplate(string id, string name, string status) =>
        "{\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"language\":\"pt_BR\",\"status\":\"" + status + "\",\"category\":\"UTILITY\"," +
        "\"parameter_format\":\"POSITIONAL\",\"components\":[{\"type\":\"BODY\",\"text\":\"Olá {{1}}!\",\"example\":{\"body_text\":[[\"Maria\"]]}}]}";

    public void Dispose() => factory.Dispose();

    private sealed class FakeTemplateSource : IMessageTemplateSource
    {
        private readonly ConcurrentDictionary<string, IReadOnlyList<MessageTemplate>> byWaba = new();

        public ConcurrentQueue<string> Asked { get; } = new();

        public void Set(string wabaId, params MessageTemplate[] templates) => byWaba[wabaId] = templates;

        public Task<TemplateListing> ListTemplatesAsync(string wabaId, CancellationToken cancellationToken)
        {
            Asked.Enqueue(wabaId);
            return Task.FromResult(new TemplateListing(byWaba.TryGetValue(wabaId, out var list) ? list : []));
        }
    }

    private sealed class FailingForWabaSource(string failingWaba, IMessageTemplateSource inner) : IMessageTemplateSource
    {
        public Task<TemplateListing> ListTemplatesAsync(string wabaId, CancellationToken cancellationToken) =>
            wabaId == failingWaba
                ? Task.FromResult(new TemplateListing([], new TemplateListingProblem(1, 80007, 400, "HTTP 400: (#80007) Rate limit issues")))
                : inner.ListTemplatesAsync(wabaId, cancellationToken);
    }

    /// <summary>Meta's paged listing: each page carries <c>paging.cursors.after</c> and, except the last, <c>paging.next</c>.</summary>
    private sealed class PagedTemplatesHandler(string wabaId, string[][] pages) : HttpMessageHandler
    {
        public ConcurrentQueue<Uri> Requests { get; } = new();

        public ConcurrentQueue<string> Authorizations { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            Requests.Enqueue(uri);
            Authorizations.Enqueue(request.Headers.Authorization?.ToString() ?? "");
            string[] data = [];
            var index = 0;
            var next = false;
            if (uri.AbsolutePath.Contains(wabaId, StringComparison.Ordinal))
            {
                var after = uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).FirstOrDefault(p => p[0] == "after")?[1];
                index = after is null ? 0 : int.Parse(after.Replace("page", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
                data = index < pages.Length ? pages[index] : [];
                next = index + 1 < pages.Length;
            }

            var paging = "\"cursors\":{\"before\":\"page" + index + "\",\"after\":\"page" + (index + 1) + "\"}" +
                (next ? ",\"next\":\"https://graph.facebook.com/v23.0/" + wabaId + "/message_templates?limit=100&after=page" + (index + 1) + "\"" : "");
            var json = "{\"data\":[" + string.Join(",", data) + "],\"paging\":{" + paging + "}}";
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
        }
    }
}
