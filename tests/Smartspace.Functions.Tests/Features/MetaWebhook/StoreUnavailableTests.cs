using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Meta.Signing;
using Smartspace.Storage;

namespace Smartspace.Functions.Tests.Features.MetaWebhook;

/// <summary>
/// P3 with the webhook applying before it answers (Webhook:Inbox=Off, the default and what Azure Tables runs): when the store is down
/// nothing can be persisted, so the webhook answers 503 and Meta retries; health says so too.
/// </summary>
public sealed class StoreUnavailableTests : IDisposable
{
    private const string Customer = "5511987654321";
    private readonly HandlerFactory factory = new(overrides: new Dictionary<string, string?> { ["Webhook:Inbox"] = "Off" });
    private readonly WebApplicationFactory<Program> host;
    private readonly SwitchableStore store;

    public StoreUnavailableTests()
    {
        host = SwitchableStore.Wrap(factory);
        store = host.Services.GetRequiredService<SwitchableStore>();
    }

    private Task<HttpResponseMessage> PostAsync(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        return factory.PostWebhookAsync(body, MetaSignature.Compute(HandlerFactory.AppSecret, body), host.CreateClient());
    }

    [Fact]
    public async Task P3_StoreDown_WebhookIs503AndHealthIs503_ThenTheRetryIsStored()
    {
        var json = WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, "wamid.DOWN", factory.Clock.GetUtcNow(), "alô"));
        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().GetAsync("/api/health")).StatusCode);

        store.Down = true;
        var refused = await PostAsync(json);
        var health = await host.CreateClient().GetAsync("/api/health");
        var status = await PostAsync(WebhookJson.SingleStatus(WebhookJson.Status("wamid.X", "read", factory.Clock.GetUtcNow(), Customer)));
        var template = await PostAsync(WebhookJson.TemplateStatus("retomada_atendimento", "PAUSED"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, template.StatusCode);
        Assert.True(store.Refused > 0);

        // Meta retries once the store is back: the message is stored, once.
        store.Down = false;
        await (await PostAsync(json)).AssertOkAsync();
        await (await PostAsync(json)).AssertOkAsync();
        var ledger = host.Services.GetRequiredService<Ledger.LedgerStore>();
        Assert.Single(await ledger.QueryAllAsync(HandlerFactory.TenantId, "msg|", CancellationToken.None));
    }

    [Fact]
    public async Task P3_StoreDown_BadSignatureIsStill401()
    {
        store.Down = true;
        var body = Encoding.UTF8.GetBytes(WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, "wamid.DOWN2", factory.Clock.GetUtcNow(), "x")));

        var response = await factory.PostWebhookAsync(body, MetaSignature.Compute("wrong", body), host.CreateClient());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    public void Dispose()
    {
        host.Dispose();
        factory.Dispose();
    }
}

/// <summary>
/// P3 with the webhook inbox (Webhook:Inbox=On): a webhook that reached the inbox is durable and answered 200 even if
/// the ledger is down at that moment; it is applied, once, when the ledger answers again. Once the inbox has seen the
/// ledger fail, new webhooks get 503 (Meta retries them) until it recovers; health is 503 meanwhile.
/// </summary>
public sealed class StoreUnavailableWithInboxTests : IDisposable
{
    private const string Customer = "5511987654321";
    private readonly HandlerFactory factory = new(overrides: new Dictionary<string, string?> { ["Webhook:Inbox"] = "On" });
    private readonly WebApplicationFactory<Program> host;
    private readonly SwitchableStore store;

    public StoreUnavailableWithInboxTests()
    {
        host = SwitchableStore.Wrap(factory);
        store = host.Services.GetRequiredService<SwitchableStore>();
    }

    private Task<HttpResponseMessage> PostAsync(string json, bool wait = true)
    {
        var body = Encoding.UTF8.GetBytes(json);
        return factory.PostWebhookAsync(body, MetaSignature.Compute(HandlerFactory.AppSecret, body), host.CreateClient(), wait);
    }

    [Fact]
    public async Task P3_LedgerDown_AcknowledgedWebhookWaitsInTheInbox_NewOnesAre503_ThenItIsAppliedOnce()
    {
        var inbox = host.Services.GetRequiredService<Functions.Features.MetaWebhook.WebhookInbox>();
        Assert.True(inbox.Enabled);
        var json = WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, "wamid.INBOXDOWN", factory.Clock.GetUtcNow(), "alô"));

        store.Down = true;
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(json, wait: false)).StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!inbox.Status.LedgerUnavailable && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.True(inbox.Status.LedgerUnavailable);
        Assert.Equal(1, inbox.Status.Pending);
        var status = await PostAsync(WebhookJson.SingleStatus(WebhookJson.Status("wamid.X", "read", factory.Clock.GetUtcNow(), Customer)), wait: false);
        var template = await PostAsync(WebhookJson.TemplateStatus("retomada_atendimento", "PAUSED"), wait: false);
        var health = await host.CreateClient().GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, template.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal(1, inbox.Status.Appended);

        // The ledger comes back: the acknowledged message is applied without Meta doing anything, and a retry of it is a duplicate.
        store.Down = false;
        await WebhookInboxDrain.WaitAsync(host.CreateClient());
        Assert.False(inbox.Status.LedgerUnavailable);
        await (await PostAsync(json)).AssertOkAsync();
        var ledger = host.Services.GetRequiredService<Ledger.LedgerStore>();
        Assert.Single(await ledger.QueryAllAsync(HandlerFactory.TenantId, "msg|", CancellationToken.None));
        Assert.Equal(0, inbox.Status.DeadLettered);
    }

    public void Dispose()
    {
        host.Dispose();
        factory.Dispose();
    }
}
