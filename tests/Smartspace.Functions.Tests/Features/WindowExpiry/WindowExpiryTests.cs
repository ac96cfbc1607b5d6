using System.Net;
using System.Text;
using System.Text.Json;
using Smartspace.Functions.Features.WindowExpiry;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Features.MetaWebhook;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Features.WindowExpiry;

/// <summary>Sets up conversations held by agents whose windows close at known instants, and reads what the sweep announced.</summary>
internal static class Expiry
{
    /// <summary>Customers 1..<paramref name="count"/> (at most 5: ana 3 + bruno 2) write now and are routed to an agent: open conversations.</summary>
    public static async Task<List<string>> OpenConversationsAsync(HandlerFactory factory, int count, int firstIndex = 1)
    {
        var ids = new List<string>();
        for (var i = firstIndex; i < firstIndex + count; i++)
        {
            await factory.CustomerWritesAsync(Desk.Mobile(i), $"wamid.exp.{i}");
            var conversation = (await factory.CustomerOfAsync(Desk.Mobile(i)))!.CurrentConversationId!;
            Assert.Equal(Core.Conversations.ConversationStage.Open, (await factory.ConversationAsync(conversation))!.Stage);
            ids.Add(conversation);
        }

        return ids;
    }

    public static List<string> Announced(HandlerFactory factory) =>
        factory.Events.Events.Where(e => e.Type == "window.expired").Select(e => e.ConversationId!).ToList();

    public static async Task<JsonElement> InvokeAsync(HandlerFactory factory)
    {
        // The timer function's work, run on demand by the local host (in Azure: the window-expiry timer trigger).
        using var response = await factory.CreateClient().PostAsync("/api/local/timers/window-expiry", content: null);
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }
}

/// <summary>The 24 h window expiry announcement (P4, R7): once, at exactly 24 h, never before.</summary>
public sealed class WindowExpiryTests : IDisposable
{
    private readonly HandlerFactory factory = new();

    private WindowExpirySweeper Sweeper => factory.Get<WindowExpirySweeper>();

    [Fact]
    public async Task P4_WindowExpiry_AnnouncedOnceAtExactly24Hours_NotBefore()
    {
        var wroteAt = factory.Clock.GetUtcNow();
        var id = (await Expiry.OpenConversationsAsync(factory, 1))[0];

        factory.Clock.SetUtcNow(wroteAt + TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1)); // 23:59:59
        Assert.Equal(0, await Sweeper.RunAsync(CancellationToken.None));
        factory.Clock.SetUtcNow(wroteAt + TimeSpan.FromHours(24) - TimeSpan.FromMilliseconds(1)); // 23:59:59.999
        Assert.Equal(0, await Sweeper.RunAsync(CancellationToken.None));
        Assert.Empty(Expiry.Announced(factory));
        Assert.False((await factory.ConversationAsync(id))!.TemplateOnly);

        factory.Clock.SetUtcNow(wroteAt + TimeSpan.FromHours(24));
        Assert.Equal(1, await Sweeper.RunAsync(CancellationToken.None));

        var announced = Assert.Single(factory.Events.Events, e => e.Type == "window.expired");
        Assert.Equal(id, announced.ConversationId);
        var data = JsonSerializer.SerializeToElement(announced.Data, HttpJson.Options);
        Assert.True(data.GetProperty("conversation").GetProperty("templateOnly").GetBoolean());
        Assert.True((await factory.ConversationAsync(id))!.TemplateOnly);

        factory.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await Sweeper.RunAsync(CancellationToken.None));
        Assert.Single(Expiry.Announced(factory));
    }

    [Fact]
    public async Task P4_CustomerWroteAgain_OldExpiryIsStale_NewOneAnnounced()
    {
        var wroteAt = factory.Clock.GetUtcNow();
        var id = (await Expiry.OpenConversationsAsync(factory, 1))[0];
        factory.Clock.SetUtcNow(wroteAt + TimeSpan.FromHours(10));
        await factory.CustomerWritesAsync(Desk.Mobile(1), "wamid.exp.again");
        factory.Clock.SetUtcNow(wroteAt + TimeSpan.FromHours(11));
        await factory.CustomerWritesAsync(Desk.Mobile(1), "wamid.exp.again2");

        // One index entry per open window, not one per message.
        Assert.Equal(1, await factory.CountAsync("win|"));

        factory.Clock.SetUtcNow(wroteAt + TimeSpan.FromHours(24));
        Assert.Equal(0, await Sweeper.RunAsync(CancellationToken.None));
        Assert.Empty(Expiry.Announced(factory));
        Assert.Equal(1, await factory.CountAsync("win|")); // moved to the window's new end

        factory.Clock.SetUtcNow(wroteAt + TimeSpan.FromHours(34));
        Assert.Equal(0, await Sweeper.RunAsync(CancellationToken.None)); // the last message was at 11 h
        Assert.Empty(Expiry.Announced(factory));

        factory.Clock.SetUtcNow(wroteAt + TimeSpan.FromHours(35));
        Assert.Equal(1, await Sweeper.RunAsync(CancellationToken.None));
        Assert.Equal([id], Expiry.Announced(factory));
        Assert.Equal(0, await factory.CountAsync("win|"));
    }

    [Fact]
    public async Task P4_LateMessageAfterTheAnnouncement_ReopensTheWindow_WhichIsAnnouncedAgainAtItsEnd()
    {
        var wroteAt = factory.Clock.GetUtcNow();
        var id = (await Expiry.OpenConversationsAsync(factory, 1))[0];
        factory.Clock.SetUtcNow(wroteAt + TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await Sweeper.RunAsync(CancellationToken.None));
        Assert.Equal(0, await factory.CountAsync("win|"));

        // Meta delivers late a message the customer sent at 23 h: the window is open again until 47 h.
        factory.Clock.SetUtcNow(wroteAt + TimeSpan.FromHours(24) + TimeSpan.FromMinutes(2));
        await factory.CustomerWritesAsync(Desk.Mobile(1), "wamid.exp.late", at: wroteAt + TimeSpan.FromHours(23));
        Assert.Equal(1, await factory.CountAsync("win|"));
        factory.Clock.SetUtcNow(wroteAt + TimeSpan.FromHours(47) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, await Sweeper.RunAsync(CancellationToken.None));

        factory.Clock.SetUtcNow(wroteAt + TimeSpan.FromHours(47));
        Assert.Equal(1, await Sweeper.RunAsync(CancellationToken.None));
        Assert.Equal([id, id], Expiry.Announced(factory));
    }

    [Fact]
    public async Task P4_TimerInvocationAndSweeper_GiveTheSameResult()
    {
        var start = factory.Clock.GetUtcNow();
        var viaInvocation = (await Expiry.OpenConversationsAsync(factory, 2))[0..2];
        factory.Clock.SetUtcNow(start + TimeSpan.FromHours(2));
        var viaSweeper = await Expiry.OpenConversationsAsync(factory, 2, firstIndex: 3);

        factory.Clock.SetUtcNow(start + TimeSpan.FromHours(24));
        var reply = await Expiry.InvokeAsync(factory);

        Assert.Equal(JsonValueKind.Array, reply.GetProperty("logs").ValueKind);
        Assert.NotEmpty(reply.GetProperty("logs").EnumerateArray());
        Assert.Equal(2, reply.GetProperty("returnValue").GetInt32());
        Assert.Equal(viaInvocation.Order(), Expiry.Announced(factory).Order());

        factory.Clock.SetUtcNow(start + TimeSpan.FromHours(26));
        Assert.Equal(2, await Sweeper.RunAsync(CancellationToken.None));
        Assert.Equal(viaInvocation.Concat(viaSweeper).Order(), Expiry.Announced(factory).Order());
        foreach (var id in viaInvocation.Concat(viaSweeper))
        {
            Assert.True((await factory.ConversationAsync(id))!.TemplateOnly);
        }

        // Nothing left: the invocation answers 0 with the same shape.
        Assert.Equal(0, (await Expiry.InvokeAsync(factory)).GetProperty("returnValue").GetInt32());
    }

    [Fact]
    public async Task P4_TwoConcurrentSweeps_AnnounceEachExpiryOnce()
    {
        var ids = await Expiry.OpenConversationsAsync(factory, 5);
        factory.Clock.Advance(TimeSpan.FromHours(24));
        var other = Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance<WindowExpirySweeper>(factory.Services); // another owner

        var results = await Task.WhenAll(Sweeper.RunAsync(CancellationToken.None), Sweeper.RunAsync(CancellationToken.None), other.RunAsync(CancellationToken.None));

        Assert.Equal(5, results.Where(r => r > 0).Sum());
        Assert.Equal(ids.Order(), Expiry.Announced(factory).Order());
    }

    [Fact]
    public async Task P4_TimerOnDemand_UnknownTimer_Is404Problem()
    {
        using var response = await factory.CreateClient().PostAsync("/api/local/timers/no-such-timer", content: null);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("timer_not_found", (await response.ReadJsonAsync()).GetProperty("code").GetString());
    }

    public void Dispose() => factory.Dispose();
}

/// <summary>Two handler instances sharing one Azure Tables store (Azurite) sweep at the same moment.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WindowExpiryAcrossInstancesTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task P4_TwoInstancesSweepingAtOnce_AnnounceEachExpiryOnce()
    {
        var prefix = AzuriteFixture.NewTablePrefix("exp");
        var overrides = new Dictionary<string, string?> { ["Storage:TablePrefix"] = prefix };
        using var first = new HandlerFactory(azurite.ConnectionString, overrides);
        using var second = new HandlerFactory(azurite.ConnectionString, overrides);
        var ids = await Expiry.OpenConversationsAsync(first, 5);
        _ = second.Services; // start the second instance on the same tables
        first.Clock.Advance(TimeSpan.FromHours(24));
        second.Clock.SetUtcNow(first.Clock.GetUtcNow());

        var results = await Task.WhenAll(
            first.Get<WindowExpirySweeper>().RunAsync(CancellationToken.None),
            second.Get<WindowExpirySweeper>().RunAsync(CancellationToken.None),
            first.Get<WindowExpirySweeper>().RunAsync(CancellationToken.None));

        Assert.Equal(5, results.Where(r => r > 0).Sum());
        Assert.Equal(ids.Order(), Expiry.Announced(first).Concat(Expiry.Announced(second)).Order());

        // A later pair of sweeps finds nothing more.
        first.Clock.Advance(TimeSpan.FromMinutes(5));
        second.Clock.SetUtcNow(first.Clock.GetUtcNow());
        await Task.WhenAll(first.Get<WindowExpirySweeper>().RunAsync(CancellationToken.None), second.Get<WindowExpirySweeper>().RunAsync(CancellationToken.None));
        Assert.Equal(5, Expiry.Announced(first).Count + Expiry.Announced(second).Count);
    }
}
