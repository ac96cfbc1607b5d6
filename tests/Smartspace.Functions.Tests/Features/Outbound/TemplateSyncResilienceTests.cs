using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Smartspace.Core.Templates;
using Smartspace.Functions.Features.Templates;
using Smartspace.Functions.Health;
using Smartspace.Functions.Hosting;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Functions.Tests.Features.MetaWebhook;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Meta.Graph;
using Smartspace.Meta.Options;

namespace Smartspace.Functions.Tests.Features.Outbound;

/// <summary>
/// P5 under a misbehaving Graph API (issue 18): each account syncs on its own — a hang, an error or a malformed answer
/// for one is reported with the account and keeps its last good catalogue, the others sync; a suddenly empty listing
/// needs a second sync before approved templates go; the timer function reports per account and never fails for it.
/// </summary>
public sealed class TemplateSyncResilienceTests : IDisposable
{
    private const string DemoWaba = "200300400500600";
    private const string OtherWaba = "200300400500999";
    private readonly HandlerFactory factory = new();

    private TemplateSync Sync(IMessageTemplateSource templates) => factory.TemplateSync(templates);

    private Task<MessageTemplate?> StoredAsync(string tenantId, string waba, string name) =>
        factory.Get<TemplateCatalog>().GetAsync(tenantId, waba, name, "pt_BR", CancellationToken.None);

    private GraphApiClient Graph(Func<Uri, HttpResponseMessage> answer) =>
        new(new HttpClient(new AnsweringHandler(answer)), factory.Get<IOptionsMonitor<MetaOptions>>(), NullLogger<GraphApiClient>.Instance);

    private static HttpResponseMessage Answer(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private static string OnePage(string name) =>
        "{\"data\":[{\"id\":\"9\",\"name\":\"" + name + "\",\"language\":\"pt_BR\",\"status\":\"APPROVED\",\"category\":\"UTILITY\",\"parameter_format\":\"POSITIONAL\"," +
        "\"components\":[{\"type\":\"BODY\",\"text\":\"Olá {{1}}!\",\"example\":{\"body_text\":[[\"Maria\"]]}}]}],\"paging\":{\"cursors\":{\"after\":\"x\"}}}";

    [Fact]
    public async Task P5_OneAccountHangs_TheOtherSyncs_TheHungOneFailsAfterItsBudgetAndKeepsItsCatalogue()
    {
        var hanging = new HangingSource(DemoWaba, Graph(uri => Answer(HttpStatusCode.OK, OnePage("modelo_outro"))));
        var sync = Sync(hanging);

        var run = sync.RunAsync(CancellationToken.None);
        await LedgerProbe.EventuallyAsync(() => Task.FromResult(hanging.Hanging), "the demo account's listing to hang");
        // The other account finished meanwhile: its change was announced (the last step of its sync).
        await LedgerProbe.EventuallyAsync(() => Task.FromResult(factory.Events.Events.Any(e => e.Type == AgentEventTypes.TemplateChanged && e.TenantId == "outro")),
            "the other account to sync meanwhile");
        factory.Clock.Advance(sync.AccountTimeout);
        var report = await run;

        var demo = Assert.Single(report.Accounts, a => a.WabaId == DemoWaba);
        Assert.Equal(("demo", "failed", 0), (demo.TenantId, demo.Outcome, demo.Changed));
        Assert.Contains("120 s", demo.Reason, StringComparison.Ordinal);
        Assert.Equal(new AccountSyncResult("outro", OtherWaba, "synced", 1), Assert.Single(report.Accounts, a => a.WabaId == OtherWaba));
        Assert.Equal(TemplateStatus.Approved, (await StoredAsync("demo", DemoWaba, "retomada_atendimento"))!.Status);
    }

    [Theory]
    [InlineData("<html><body>Service Unavailable</body></html>", "page 1: the answer is not JSON")]
    [InlineData("{\"unexpected\":true}", "page 1: the answer has no data array")]
    public async Task P5_MalformedAnswerForOneAccount_IsReportedWithTheAccount_OthersSync(string body, string reason)
    {
        var graph = Graph(uri => Answer(HttpStatusCode.OK, uri.AbsolutePath.Contains(DemoWaba, StringComparison.Ordinal) ? body : OnePage("modelo_outro")));

        var report = await Sync(graph).RunAsync(CancellationToken.None);

        var demo = Assert.Single(report.Accounts, a => a.WabaId == DemoWaba);
        Assert.Equal("failed", demo.Outcome);
        Assert.StartsWith(reason, demo.Reason, StringComparison.Ordinal);
        Assert.Equal("synced", Assert.Single(report.Accounts, a => a.WabaId == OtherWaba).Outcome);
        Assert.Equal(TemplateStatus.Approved, (await StoredAsync("demo", DemoWaba, "retomada_atendimento"))!.Status);
        Assert.NotNull(await StoredAsync("outro", OtherWaba, "modelo_outro"));
    }

    [Fact]
    public async Task P5_SecondPageFails_FirstPageApplied_NothingRemoved()
    {
        var graph = Graph(uri => !uri.AbsolutePath.Contains(DemoWaba, StringComparison.Ordinal)
            ? Answer(HttpStatusCode.OK, "{\"data\":[]}")
            : uri.Query.Contains("after=", StringComparison.Ordinal)
                ? Answer(HttpStatusCode.InternalServerError, "{\"error\":{\"message\":\"An unknown error occurred\",\"code\":1}}")
                : Answer(HttpStatusCode.OK, OnePage("so_a_primeira").Replace("{\"after\":\"x\"}", "{\"after\":\"p2\"},\"next\":\"https://graph.facebook.com/v23.0/x/message_templates?after=p2\"", StringComparison.Ordinal)));

        var report = await Sync(graph).RunAsync(CancellationToken.None);

        var demo = Assert.Single(report.Accounts, a => a.WabaId == DemoWaba);
        Assert.Equal(("partial", 1), (demo.Outcome, demo.Changed));
        Assert.StartsWith("page 2: HTTP 500", demo.Reason, StringComparison.Ordinal);
        Assert.NotNull(await StoredAsync("demo", DemoWaba, "so_a_primeira"));
        Assert.Equal(TemplateStatus.Approved, (await StoredAsync("demo", DemoWaba, "retomada_atendimento"))!.Status);
    }

    [Fact]
    public async Task P5_SuddenEmptyCatalogue_KeptOnFirstSync_RemovedOnlyWhenTheSecondConfirms()
    {
        var graph = Graph(_ => Answer(HttpStatusCode.OK, "{\"data\":[],\"paging\":{\"cursors\":{}}}"));

        var first = await Sync(graph).RunAsync(CancellationToken.None);
        Assert.Equal("empty_unconfirmed", Assert.Single(first.Accounts, a => a.WabaId == DemoWaba).Outcome);
        Assert.Equal(TemplateStatus.Approved, (await StoredAsync("demo", DemoWaba, "retomada_atendimento"))!.Status);

        var second = await Sync(graph).RunAsync(CancellationToken.None);
        var demo = Assert.Single(second.Accounts, a => a.WabaId == DemoWaba);
        Assert.Equal("synced", demo.Outcome);
        Assert.True(demo.Changed > 0);
        Assert.Equal(TemplateStatus.Deleted, (await StoredAsync("demo", DemoWaba, "retomada_atendimento"))!.Status);
    }

    [Fact]
    public async Task P5_EmptyThenNonEmpty_TheEmptyOneIsForgotten()
    {
        var empty = true;
        var graph = Graph(_ => Answer(HttpStatusCode.OK, empty ? "{\"data\":[]}" : OnePage("retomada_atendimento")));

        await Sync(graph).RunAsync(CancellationToken.None);
        empty = false;
        await Sync(graph).RunAsync(CancellationToken.None);
        empty = true;
        var again = await Sync(graph).RunAsync(CancellationToken.None);

        Assert.Equal("empty_unconfirmed", Assert.Single(again.Accounts, a => a.WabaId == DemoWaba).Outcome);
        Assert.Equal(TemplateStatus.Approved, (await StoredAsync("demo", DemoWaba, "retomada_atendimento"))!.Status);
    }

    [Fact]
    public async Task P5_TimerFunction_ReportsEachAccount_AndDoesNotFailForAnUpstreamProblem()
    {
        var graph = Graph(uri => uri.AbsolutePath.Contains(DemoWaba, StringComparison.Ordinal)
            ? Answer(HttpStatusCode.OK, "not json at all")
            : Answer(HttpStatusCode.OK, OnePage("modelo_outro")));
        var function = new TemplateSyncFunction(Sync(graph));

        var result = await function.RunAsync(new TimerRun(IsPastDue: false), CancellationToken.None);

        var accounts = result.ReturnValue!["accounts"]!.AsArray();
        Assert.Equal(2, accounts.Count);
        var demo = accounts.Single(a => (string?)a!["wabaId"] == DemoWaba)!;
        Assert.Equal("failed", (string?)demo["outcome"]);
        Assert.StartsWith("page 1: the answer is not JSON", (string?)demo["reason"], StringComparison.Ordinal);
        Assert.Equal("synced", (string?)accounts.Single(a => (string?)a!["wabaId"] == OtherWaba)!["outcome"]);
        Assert.Contains(result.Logs, l => l.Contains(DemoWaba, StringComparison.Ordinal) && l.Contains("failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task P5_ExpiredToken_ShowsAsAConfigurationProblemInHealth_UntilAListingSucceeds()
    {
        var expired = true;
        var graph = Graph(_ => expired
            ? Answer(HttpStatusCode.Unauthorized, "{\"error\":{\"message\":\"Error validating access token: Session has expired\",\"type\":\"OAuthException\",\"code\":190}}")
            : Answer(HttpStatusCode.OK, OnePage("retomada_atendimento")));
        using var client = factory.CreateClient();

        var report = await Sync(graph).RunAsync(CancellationToken.None);
        var health = await (await client.GetAsync("/api/health")).ReadJsonAsync();

        Assert.All(report.Accounts, a => Assert.Equal("failed", a.Outcome));
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        Assert.Equal("invalid", health.GetProperty("meta").GetProperty("access").GetString());
        Assert.Equal(190, health.GetProperty("meta").GetProperty("code").GetInt32());

        expired = false;
        await Sync(graph).RunAsync(CancellationToken.None);
        health = await (await client.GetAsync("/api/health")).ReadJsonAsync();
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal("ok", health.GetProperty("meta").GetProperty("access").GetString());
    }

    public void Dispose() => factory.Dispose();

    private sealed class HangingSource(string hangWaba, IMessageTemplateSource inner) : IMessageTemplateSource
    {
        private int hanging;

        public bool Hanging => Volatile.Read(ref hanging) == 1;

        public async Task<TemplateListing> ListTemplatesAsync(string wabaId, CancellationToken cancellationToken)
        {
            if (wabaId != hangWaba)
            {
                return await inner.ListTemplatesAsync(wabaId, cancellationToken);
            }

            Volatile.Write(ref hanging, 1);
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    private sealed class AnsweringHandler(Func<Uri, HttpResponseMessage> answer) : HttpMessageHandler
    {
        public ConcurrentQueue<Uri> Requests { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Enqueue(request.RequestUri!);
            return Task.FromResult(answer(request.RequestUri!));
        }
    }
}
