using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Smartspace.Functions.Realtime;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.MetaWebhook;

/// <summary>
/// P3 and R18: live events are best effort (clients resync by version), the stored message is not. A delivery that
/// times out — Web PubSub hanging, an HttpClient timeout surfacing as a cancellation — must neither turn Meta's
/// webhook into an error (Meta would retry a message already stored) nor stop the other destinations.
/// </summary>
public sealed class EventDeliveryFailureTests : IDisposable
{
    private const string Customer = "5511987654321";
    private readonly HandlerFactory factory = new();
    private readonly WebApplicationFactory<Program> host;

    public EventDeliveryFailureTests() =>
        host = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimingOutSink>();
            services.AddSingleton<IAgentEventSink>(sp => sp.GetRequiredService<TimingOutSink>());
        }));

    [Fact]
    public async Task P3_R18_AnEventDestinationTimesOut_WebhookIs200_MessageStoredOnce_OtherDestinationsStillGetTheEvent()
    {
        var json = WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, "wamid.SLOWHUB", factory.Clock.GetUtcNow(), "o painel travou?"));

        var response = await factory.PostWebhookAsync(json, host.CreateClient());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ledger = host.Services.GetRequiredService<Ledger.LedgerStore>();
        Assert.Single(await ledger.QueryAllAsync(HandlerFactory.TenantId, "msg|", CancellationToken.None));
        // The entity publishes the message's events just after placing it; the timing-out destination comes after the recording one.
        await host.Services.GetRequiredService<RecordingEventPublisher>().WaitForAsync(e => e.Type == AgentEventTypes.ConversationQueued, what: "conversation.queued");
        await LedgerProbe.EventuallyAsync(() => Task.FromResult(host.Services.GetRequiredService<TimingOutSink>().Attempts > 0), "the hanging destination to be tried");
    }

    public void Dispose()
    {
        host.Dispose();
        factory.Dispose();
    }

    /// <summary>Fails every delivery the way an HttpClient timeout does: a cancellation the caller did not ask for.</summary>
    public sealed class TimingOutSink : IAgentEventSink
    {
        private int attempts;

        public int Attempts => Volatile.Read(ref attempts);

        public Task DeliverAsync(AgentEvent agentEvent, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref attempts);
            throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout.", new TimeoutException());
        }
    }
}
