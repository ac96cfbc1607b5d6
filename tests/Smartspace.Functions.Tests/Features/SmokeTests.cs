using System.Net;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features;

public sealed class SmokeTests : IDisposable
{
    private readonly HandlerFactory factory = new();

    [Fact]
    public async Task R6_CustomerWritesThenAgentStarts_OpensAtOnceWithFreeText()
    {
        var now = factory.Clock.GetUtcNow();
        var webhook = await factory.PostWebhookAsync(MetaPayloads.Text("5511987654321", "wamid.SMOKE1", now.AddMinutes(-5), "Oi, preciso de ajuda"));
        Assert.True(webhook.StatusCode == HttpStatusCode.OK, await webhook.Content.ReadAsStringAsync());

        // The inbound conversation was routed to an available agent (ana or bruno); finish it to start actively.
        var ana = factory.ClientFor("bruno");
        var start = await ana.PostJsonAsync("/api/agent/conversations", new { number = "11987654321" });
        var body = await start.ReadJsonAsync();
        Assert.True(start.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.Conflict, start.StatusCode + " " + body + " " + string.Join(",", start.Headers.WwwAuthenticate));
    }

    public void Dispose() => factory.Dispose();
}
