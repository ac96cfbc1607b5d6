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
/// P3 with the webhook applying to Table Storage before it answers: when the store is down
/// nothing can be persisted, so the webhook answers 503 and Meta retries; health says so too.
/// </summary>
public sealed class StoreUnavailableTests : IDisposable
{
    private const string Customer = "5511987654321";
    private readonly HandlerFactory factory = new();
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
