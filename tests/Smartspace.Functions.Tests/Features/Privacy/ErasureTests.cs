using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Smartspace.Durable.Client;
using Smartspace.Durable.Entities;
using Smartspace.Core.Phones;
using Smartspace.Core.Text;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Storage;
using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Features.Privacy;

/// <summary>
/// LGPD erasure, run against both store adapters: after it nothing of the customer is found by the agent API
/// (history search, conversations, export) nor by a scan of every row the product wrote, the audit shows the request,
/// the reports keep their anonymized counts, and a new message from the same number opens a new customer.
/// </summary>
public abstract class ErasureContract : IDisposable
{
    // The customer: typed as the agent would (R2), the wa_id Meta reports, its 12-digit variant (P6) and BSUID.
    protected const string Typed = "11987650101";
    protected const string WaId = "5511987650101";
    private const string LegacyWaId = "551187650101";
    private const string Bsuid = "BR.5511987650101";
    protected const string Name = "Joana Sigilosa";
    protected const string Text1 = "Meu CPF é 123.456.789-00";
    private const string Caption = "Foto do RG da Joana";
    private const string Reply = "Olá Joana, recebemos seu RG";
    private const string Note = "Cliente Joana pediu segunda via do boleto";
    private const string Text2 = "Voltei a escrever sobre o boleto";
    protected const string Control = "11987650202";

    private readonly Lazy<HandlerFactory> lazyFactory;

    protected ErasureContract() => lazyFactory = new Lazy<HandlerFactory>(NewFactory);

    protected HandlerFactory Factory => lazyFactory.Value;

    protected abstract HandlerFactory NewFactory();

    protected static readonly string[] Traces = [WaId, LegacyWaId, Typed, Bsuid, "Joana", "123.456.789", Caption, Reply, "segunda via", Text2, "wamid.lgpd.", "wamid.TEST", "77001"];

    /// <summary>Two finished conversations of the customer (text, an image from the 12-digit variant, an agent reply, notes), plus a control customer, plus the same number in another contact center.</summary>
    private async Task<List<string>> ServeCustomerTwiceAsync()
    {
        var f = Factory;
        var t0 = f.Clock.GetUtcNow();
        await f.CustomerWritesAsync(Typed, "wamid.lgpd.1", t0, Text1, Name);
        await f.CustomerSendsImageAsync(LegacyWaId, "wamid.lgpd.2", t0.AddSeconds(1), Caption, Name, Bsuid);
        var first = await f.CurrentConversationAsync(Typed);
        using (var sent = await f.ClientFor(first.AgentId!).SendTextAsync(first.ConversationId, Reply))
        {
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        }

        await WaitUntilSentAsync(first.ConversationId);
        var ids = new List<string> { await f.FinishCurrentAsync(Typed, "duvida", Note) };
        f.Clock.Advance(TimeSpan.FromHours(1));
        await f.CustomerWritesAsync(Typed, "wamid.lgpd.3", f.Clock.GetUtcNow(), Text2, Name);
        ids.Add(await f.FinishCurrentAsync(Typed, "venda", null));

        await f.CustomerWritesAsync(Control, "wamid.control.1", f.Clock.GetUtcNow(), "Mensagem de outro cliente", "Pedro Controle");
        await f.CustomerWritesAsync(Typed, "wamid.outro.1", f.Clock.GetUtcNow(), "Oi, outro contact center", Name, HandlerFactory.OtherTenantChannelId);
        return ids;
    }

    /// <summary>The agent's message left the outbox (the recording sender accepted it), so no send is in flight.</summary>
    private async Task WaitUntilSentAsync(string conversationId)
    {
        for (var i = 0; i < 100; i++)
        {
            var messages = await Factory.Get<LedgerStore>().GetMessagesAsync(HandlerFactory.TenantId, conversationId, 0, CancellationToken.None);
            if (messages.Where(m => m.Direction == "out").All(m => m.Status != "pending"))
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("the agent's message was never sent");
    }

    [Fact]
    public async Task LGPD_Erasure_LeavesNoTraceInAgentApiOrStores_KeepsAnonymizedReports_AndIsAudited()
    {
        var f = Factory;
        var ids = await ServeCustomerTwiceAsync();
        var supervisor = f.Supervisor();

        using var erased = await supervisor.EraseAsync(new { number = "(11) 98765-0101" });

        var result = await erased.ReadJsonAsync();
        Assert.True(erased.StatusCode == HttpStatusCode.OK, result.ToString());
        Assert.Equal(2, result.GetProperty("conversations").GetInt32());
        Assert.Equal(4, result.GetProperty("messages").GetInt32()); // text, image, reply; text
        Assert.Equal(1, result.GetProperty("media").GetInt32());
        Assert.Equal("+55 11 9****-0101", result.GetProperty("customer").GetString());

        // Agent API: history search by number and by name, the whole history, each conversation, the export.
        Assert.Empty((await supervisor.GetJsonAsync("/api/agent/history?number=" + Typed)).GetProperty("items").EnumerateArray());
        Assert.Empty((await supervisor.GetJsonAsync("/api/agent/history?name=Joana")).GetProperty("items").EnumerateArray());
        var seen = new List<string> { (await supervisor.GetJsonAsync("/api/agent/history?pageSize=100")).ToString() };
        foreach (var id in ids)
        {
            var detail = await supervisor.GetJsonAsync($"{Desk.Conversations}/{id}");
            Assert.Empty(detail.GetProperty("messages").EnumerateArray());
            seen.Add(detail.ToString());
        }

        PrivacyDesk.AssertNoTrace(seen, Traces, "the agent API");
        using var byNumber = await supervisor.ExportAsync(new { number = Typed });
        await byNumber.AssertProblemAsync(HttpStatusCode.NotFound, "customer_not_found", PtBr.CustomerNotFound);
        using var byBsuid = await supervisor.ExportAsync(new { userId = Bsuid });
        await byBsuid.AssertProblemAsync(HttpStatusCode.NotFound, "customer_not_found");

        // Every row of the contact center's partition and of the directory.
        PrivacyDesk.AssertNoTrace(await f.ScanStoresAsync(), Traces, "the stores");

        // The reports keep counts, qualifications and times, anonymized.
        var reports = (await f.Get<LedgerStore>().QueryAllAsync(HandlerFactory.TenantId, Keys.ConversationPrefix, CancellationToken.None))
            .Where(e => ids.Contains(Keys.Unescape(e.RowKey[Keys.ConversationPrefix.Length..]))).Select(ConversationRow.From).ToList();
        Assert.Equal(["duvida", "venda"], reports.Select(r => r.QualificationId).Order());
        Assert.All(reports, r => Assert.True(r.ClosedAt is not null && r.MessageSeq > 0 && r.CustomerName == PtBr.ErasedCustomerName && r.CustomerKey == ""));

        // Other customers and the other contact center keep everything.
        Assert.NotNull(await f.CustomerOfAsync(Control));
        Assert.NotNull(await f.CustomerOfAsync(Typed, HandlerFactory.OtherTenantChannelId, "outro"));

        var audit = await f.AuditAsync();
        var entry = Assert.Single(audit, a => a.GetProperty("action").GetString() == "customer.erasure");
        Assert.Equal(("agent:carla", "done", "+55 11 9****-0101"),
            (entry.GetProperty("actor").GetString(), entry.GetProperty("outcome").GetString(), entry.GetProperty("customer").GetString()));
        Assert.Equal(2, entry.GetProperty("details").GetProperty("conversations").GetInt32());
    }

    [Fact]
    public async Task LGPD_Erasure_ByBsuid_FindsTheSameCustomer()
    {
        await ServeCustomerTwiceAsync();

        using var erased = await Factory.Supervisor().EraseAsync(new { userId = Bsuid });

        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        Assert.Equal(2, (await erased.ReadJsonAsync()).GetProperty("conversations").GetInt32());
        PrivacyDesk.AssertNoTrace(await Factory.ScanStoresAsync(), Traces, "the stores");
    }

    [Fact]
    public async Task LGPD_AfterErasure_ANewMessageFromTheSameNumber_OpensANewCustomer()
    {
        var f = Factory;
        var old = await ServeCustomerTwiceAsync();
        using (var erased = await f.Supervisor().EraseAsync(new { number = Typed }))
        {
            Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        }

        await f.CustomerWritesAsync(Typed, "wamid.new.1", f.Clock.GetUtcNow(), "Oi de novo", "Joana Nova");

        var customer = await f.CustomerOfAsync(Typed);
        Assert.NotNull(customer);
        Assert.Null(customer.LastConversationId);
        Assert.DoesNotContain(customer.CurrentConversationId, old);
        var detail = await f.Supervisor().GetJsonAsync($"{Desk.Conversations}/{customer.CurrentConversationId}");
        Assert.Equal(["Oi de novo"], detail.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()));
        var id = await f.FinishCurrentAsync(Typed, null, null);
        var history = await f.Supervisor().GetJsonAsync("/api/agent/history?number=" + Typed);
        Assert.Equal([id], history.GetProperty("items").EnumerateArray().Select(i => i.ConversationId()));
    }

    [Fact]
    public async Task LGPD_Erasure_RefusedWhileAConversationIsInProgress_AndNothingChanges()
    {
        var f = Factory;
        await f.CustomerWritesAsync(Typed, "wamid.lgpd.busy", f.Clock.GetUtcNow(), Text1, Name);
        var before = await f.ScanStoresAsync();

        using var refused = await f.Supervisor().EraseAsync(new { number = Typed });

        await refused.AssertProblemAsync(HttpStatusCode.Conflict, "erasure_while_in_service", PtBr.ErasureWhileInService);
        var after = await f.ScanStoresAsync();
        Assert.Equal(before, after.Where(l => !l.Contains("/audit|", StringComparison.Ordinal)));
        var entry = Assert.Single(await f.AuditAsync(), a => a.GetProperty("action").GetString() == "customer.erasure");
        Assert.Equal("refused_in_service", entry.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task LGPD_Erasure_OfACustomerWithManyConversations_CommitsInBatchesWithinTheStoreLimits()
    {
        // 60 finished conversations: 60 anonymized rows + 60 history entries + profile + audit > one batch of 100.
        var f = Factory;
        for (var i = 0; i < 60; i++)
        {
            await f.CustomerWritesAsync(Typed, $"wamid.lgpd.many.{i}", f.Clock.GetUtcNow(), $"{Text1} #{i}", Name);
            await f.FinishCurrentAsync(Typed, "duvida", $"{Note} #{i}");
            f.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        using var erased = await f.Supervisor().EraseAsync(new { number = Typed });

        var result = await erased.ReadJsonAsync();
        Assert.True(erased.StatusCode == HttpStatusCode.OK, result.ToString());
        Assert.Equal((60, 60, 60), (result.GetProperty("conversations").GetInt32(), result.GetProperty("messages").GetInt32(), result.GetProperty("historyEntries").GetInt32()));
        PrivacyDesk.AssertNoTrace(await f.ScanStoresAsync(), Traces, "the stores");
    }

    [Fact]
    public async Task LGPD_AnErasureACrashInterrupted_IsFinishedByTheRetentionTimer()
    {
        // The erasure committed (conversation anonymized, marked pending) but the process died before deleting the messages.
        var f = Factory;
        await f.CustomerWritesAsync(Typed, "wamid.lgpd.crash", f.Clock.GetUtcNow(), Text1, Name);
        var id = await f.FinishCurrentAsync(Typed, null, null);
        var ledger = f.Get<LedgerStore>();
        var row = (await ledger.GetAsync(HandlerFactory.TenantId, Keys.Conversation(id), CancellationToken.None))!;
        row[Smartspace.Functions.Features.Privacy.MessagePurge.ErasurePending] = true;
        Assert.True((await ledger.SubmitAsync([EntityOperation.Replace(row)], CancellationToken.None)).Succeeded);

        using var run = await f.CreateClient().PostAsync("/api/local/timers/retention", content: null);

        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        Assert.Empty(await ledger.GetMessagesAsync(HandlerFactory.TenantId, id, 0, CancellationToken.None));
        Assert.Null(await ledger.GetAsync(HandlerFactory.TenantId, Keys.Wamid("wamid.lgpd.crash"), CancellationToken.None));
        Assert.Null((await ledger.GetAsync(HandlerFactory.TenantId, Keys.Conversation(id), CancellationToken.None))!.GetBoolean(Smartspace.Functions.Features.Privacy.MessagePurge.ErasurePending));
    }

    public void Dispose()
    {
        if (lazyFactory.IsValueCreated)
        {
            lazyFactory.Value.Dispose();
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>The contract, and the contact center's own checks, on the shared Azurite.</summary>
public sealed class ErasureTests : ErasureContract
{
    protected override HandlerFactory NewFactory() => new();

    [Fact]
    public async Task LGPD_AnotherContactCentersCustomer_CannotBeExportedOrErased_WhateverTheNumber()
    {
        var f = Factory;
        await f.CustomerWritesAsync("11987650303", "wamid.only.outro", f.Clock.GetUtcNow(), "Só no outro", "Cliente do Outro", HandlerFactory.OtherTenantChannelId);
        var outroBefore = await f.ScanStoresAsync("outro");

        using var export = await f.Supervisor().ExportAsync(new { number = "11987650303" });
        using var erase = await f.Supervisor().EraseAsync(new { number = "11987650303" });
        using var eraseBsuid = await f.Supervisor().EraseAsync(new { userId = "BR.5511987650303" });

        await export.AssertProblemAsync(HttpStatusCode.NotFound, "customer_not_found");
        await erase.AssertProblemAsync(HttpStatusCode.NotFound, "customer_not_found");
        await eraseBsuid.AssertProblemAsync(HttpStatusCode.NotFound, "customer_not_found");
        Assert.Equal(outroBefore, await f.ScanStoresAsync("outro"));
        Assert.DoesNotContain(await f.AuditAsync("outro"), a => a.GetProperty("action").GetString()!.StartsWith("customer.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LGPD_OnlySupervisors_MayExportEraseOrReadTheAudit()
    {
        var f = Factory;
        await f.CustomerWritesAsync(Typed, "wamid.lgpd.ana", f.Clock.GetUtcNow(), Text1, Name);
        await f.FinishCurrentAsync(Typed, null, null);
        var ana = f.ClientFor("ana");
        var before = await f.ScanStoresAsync();

        using var export = await ana.ExportAsync(new { number = Typed });
        using var erase = await ana.EraseAsync(new { number = Typed });
        using var audit = await ana.GetAsync(PrivacyDesk.Audit);
        using var settings = await ana.PutAsync(PrivacyDesk.Settings, System.Net.Http.Json.JsonContent.Create(new { messageRetentionDays = 1, mediaRetentionDays = 1 }));

        foreach (var response in new[] { export, erase, audit, settings })
        {
            await response.AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden", PtBr.Forbidden);
        }

        Assert.Equal(before, await f.ScanStoresAsync());
    }

    /// <summary>
    /// A message the webhook stored and acknowledged, whose placement has not run yet when the supervisor exports and then
    /// erases the customer, is the customer's too: the export carries it, the erasure removes it and counts it, and its placement, when the entity's signal
    /// arrives after the erasure, places nothing and begins nothing (no conversation, no name, no window in the entity).
    /// </summary>
    [Fact]
    public async Task LGPD_ExportAndErasure_ReachAMessageStoredButNotYetPlaced_AndItsLatePlacementBeginsNothing()
    {
        var f = Factory;
        await f.CustomerWritesAsync(Control, "wamid.control.staged", f.Clock.GetUtcNow(), "Mensagem de outro cliente", "Pedro Controle");
        var held = new HeldInboundSignals(f.Get<IConversationEntities>());
        using var holding = f.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IConversationEntities>();
            services.AddSingleton<IConversationEntities>(held);
        }));
        using (var stored = await f.PostWebhookAsync(MetaPayloads.Text(WaId, "wamid.lgpd.staged", f.Clock.GetUtcNow(), Text1, Name), holding.CreateClient(), waitForPlacement: false))
        {
            Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        }

        Assert.Single(await StagedMessages.ListAsync(f.TablesConnectionString, f.TablePrefix));

        // LGPD access first: the export carries the message too, among the messages not yet placed.
        using (var export = await f.Supervisor().ExportAsync(new { number = Typed }))
        {
            using var document = System.Text.Json.JsonDocument.Parse((await export.ReadArchiveAsync())["export.json"]);
            var pending = Assert.Single(document.RootElement.GetProperty("messagesNotYetPlaced").EnumerateArray());
            Assert.Equal(("wamid.lgpd.staged", Text1, Name), (pending.GetProperty("wamid").GetString(), pending.GetProperty("body").GetString(), pending.GetProperty("profileName").GetString()));
            Assert.Empty(document.RootElement.GetProperty("conversations").EnumerateArray());
        }

        using var erased = await f.Supervisor().EraseAsync(new { number = Typed });
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        using (var result = System.Text.Json.JsonDocument.Parse(await erased.Content.ReadAsStringAsync()))
        {
            Assert.Equal(1, result.RootElement.GetProperty("messages").GetInt32());
        }

        // The signal the webhook sent, arriving late: the placement finds the message gone.
        var (tenantId, channelId, customerKey, message) = Assert.Single(held.Signals);
        await f.Get<IConversationEntities>().SignalInboundAsync(tenantId, channelId, customerKey, message, CancellationToken.None);
        await f.WaitForPlacementAsync();

        PrivacyDesk.AssertNoTrace(await f.ScanStoresAsync(), Traces, "the stores");
        var entity = await f.Get<IConversationEntities>().GetCustomerAsync(tenantId, channelId, customerKey, CancellationToken.None);
        Assert.Equal((false, null, null), (entity.InProgress, entity.DisplayName, entity.LastInboundAt));
        Assert.NotNull(await f.CustomerOfAsync(Control));
    }

    /// <summary>The webhook's signals to the customers' entities, held back instead of sent.</summary>
    private sealed class HeldInboundSignals(IConversationEntities inner) : DelegatingConversationEntities(inner)
    {
        public System.Collections.Concurrent.ConcurrentQueue<(string TenantId, string ChannelId, string CustomerKey, StagedInbound Message)> Signals { get; } = new();

        public override Task SignalInboundAsync(string tenantId, string channelId, string customerKey, StagedInbound message, CancellationToken ct)
        {
            Signals.Enqueue((tenantId, channelId, customerKey, message));
            return Task.CompletedTask;
        }
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"number\":\"11987650101\",\"userId\":\"BR.1\"}")]
    [InlineData("{\"number\":\"abc\"}")]
    [InlineData("{\"number\":\"123\"}")]
    [InlineData("{\"userId\":\"BR 1\"}")]
    [InlineData("{\"number\":")]
    public async Task LGPD_BadRequest_IsAProblem_AndChangesNothing(string body)
    {
        var f = Factory;
        await f.CustomerWritesAsync(Typed, "wamid.lgpd.bad", f.Clock.GetUtcNow(), Text1, Name);
        var before = await f.ScanStoresAsync();

        foreach (var url in new[] { PrivacyDesk.Erasure, PrivacyDesk.Export })
        {
            using var response = await f.Supervisor().PostAsync(url, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
        }

        Assert.Equal(before, await f.ScanStoresAsync());
    }
}
