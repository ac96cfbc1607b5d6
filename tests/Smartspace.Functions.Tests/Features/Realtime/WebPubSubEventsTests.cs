using Smartspace.Core.Conversations;
using Smartspace.Functions.Realtime;

namespace Smartspace.Functions.Tests.Features.Realtime;

/// <summary>
/// <c>/api/webpubsub/events</c>, Web PubSub's event handler: the abuse-protection handshake, and signed
/// <c>connected</c>/<c>disconnected</c> system events that make an agent available or unavailable for
/// queue routing (reference §2.6).
/// </summary>
public sealed class WebPubSubEventsTests
{
    [Fact]
    public async Task R18_events_endpoint_answers_the_abuse_protection_handshake()
    {
        await using var host = new RealtimeHost();
        using var client = host.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/webpubsub/events");
        request.Headers.TryAddWithoutValidation("WebHook-Request-Origin", "smartspace.webpubsub.azure.com");
        using var response = await client.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.True(response.Headers.TryGetValues("WebHook-Allowed-Origin", out var allowed));
        Assert.Contains(allowed!.Single(), new[] { "*", "smartspace.webpubsub.azure.com" });
    }

    [Fact]
    public async Task R18_signed_disconnected_makes_the_agent_unavailable_so_routing_skips_them_and_connected_makes_them_available_again()
    {
        await using var host = new RealtimeHost();
        Assert.True((await host.MeAsync("ana")).GetProperty("available").GetBoolean());

        using (var response = await host.PostSystemEventAsync("disconnected", "ana", "conn-ana-1"))
        {
            Assert.True(response.IsSuccessStatusCode, $"disconnected answered {(int)response.StatusCode}");
        }

        await host.SettledAsync(); // the event signals ana's entity
        Assert.False((await host.MeAsync("ana")).GetProperty("available").GetBoolean());

        // Routing skips her: ana would come first (same load, id order), but the customer goes to bruno.
        Assert.Equal(200, await host.CustomerSaysAsync("5511987009900", "Olá"));
        await host.WaitForEventAsync(e => e.Type == AgentEventTypes.ConversationAssigned, "the assignment");
        var assigned = host.Events.Single(e => e.Type == AgentEventTypes.ConversationAssigned);
        Assert.Equal("bruno", assigned.AgentId);

        using (var response = await host.PostSystemEventAsync("connected", "ana", "conn-ana-2"))
        {
            Assert.True(response.IsSuccessStatusCode, $"connected answered {(int)response.StatusCode}");
        }

        await host.SettledAsync();
        Assert.True((await host.MeAsync("ana")).GetProperty("available").GetBoolean());
        Assert.Equal(200, await host.CustomerSaysAsync("5511987009901", "Bom dia"));
        await host.WaitForEventAsync(e => e.Type == AgentEventTypes.ConversationAssigned && e.AgentId == "ana", "the assignment to ana");
    }

    [Fact]
    public async Task R18_closing_one_of_two_connections_keeps_the_agent_available_and_a_late_disconnect_of_an_old_connection_changes_nothing()
    {
        await using var host = new RealtimeHost();
        foreach (var (name, connection) in new[] { ("connected", "tab-1"), ("connected", "tab-2"), ("disconnected", "tab-1") })
        {
            using var response = await host.PostSystemEventAsync(name, "ana", connection);
            Assert.True(response.IsSuccessStatusCode, $"{name} answered {(int)response.StatusCode}");
        }

        await host.SettledAsync();
        Assert.True((await host.MeAsync("ana")).GetProperty("available").GetBoolean());

        // Reconnect (R19): the new connection's connected arrives before the old one's disconnected.
        foreach (var (name, connection) in new[] { ("connected", "tab-3"), ("disconnected", "tab-2"), ("disconnected", "tab-2") })
        {
            using var response = await host.PostSystemEventAsync(name, "ana", connection);
            Assert.True(response.IsSuccessStatusCode, $"{name} answered {(int)response.StatusCode}");
        }

        await host.SettledAsync();
        Assert.True((await host.MeAsync("ana")).GetProperty("available").GetBoolean());

        using (var last = await host.PostSystemEventAsync("disconnected", "ana", "tab-3"))
        {
            Assert.True(last.IsSuccessStatusCode);
        }

        await host.SettledAsync();
        Assert.False((await host.MeAsync("ana")).GetProperty("available").GetBoolean());
    }

    [Fact]
    public async Task R18_a_connected_event_arriving_after_its_own_disconnected_leaves_no_ghost_connection()
    {
        await using var host = new RealtimeHost();

        // The hub delivers each event in its own call, so a short-lived tab's disconnected may overtake its connected.
        foreach (var (name, connection) in new[] { ("disconnected", "c-ana"), ("disconnected", "tab-short"), ("connected", "tab-short") })
        {
            using var response = await host.PostSystemEventAsync(name, "ana", connection);
            Assert.True(response.IsSuccessStatusCode, $"{name} answered {(int)response.StatusCode}");
        }

        await host.SettledAsync();
        Assert.False((await host.MeAsync("ana")).GetProperty("available").GetBoolean());

        // A new connection still makes her available.
        using (var response = await host.PostSystemEventAsync("connected", "ana", "tab-new"))
        {
            Assert.True(response.IsSuccessStatusCode);
        }

        await host.WaitAvailableAsync("ana", true);
    }

    [Fact]
    public async Task R18_connected_assigns_waiting_conversations_to_the_agent_who_comes_online()
    {
        await using var host = new RealtimeHost();
        foreach (var (agent, connection) in new[] { ("ana", "c-ana"), ("bruno", "c-bruno") })
        {
            using var response = await host.PostSystemEventAsync("disconnected", agent, connection);
            Assert.True(response.IsSuccessStatusCode);
        }

        await host.SettledAsync();
        Assert.Equal(200, await host.CustomerSaysAsync("5511987001234", "Tem alguém?"));
        await host.WaitForEventAsync(e => e.Type == AgentEventTypes.ConversationQueued, "the customer queued"); // the message was handled…
        Assert.DoesNotContain(host.Events, e => e.Type == AgentEventTypes.ConversationAssigned); // …and nobody was assigned

        using (var response = await host.PostSystemEventAsync("connected", "bruno", "c-bruno-2"))
        {
            Assert.True(response.IsSuccessStatusCode);
        }

        await host.WaitForEventAsync(e => e.Type == AgentEventTypes.ConversationAssigned, "the assignment");
        Assert.Equal("bruno", host.Events.Single(e => e.Type == AgentEventTypes.ConversationAssigned).AgentId);
    }

    [Fact]
    public async Task R18_events_with_a_missing_or_bad_signature_are_401_and_change_nothing()
    {
        await using var host = new RealtimeHost();
        var before = await host.MeAsync("ana");

        var attempts = new (string Why, string? Signature, string? Key)[]
        {
            ("no signature", null, null),
            ("another key", null, "some-other-access-key-0123456789abcdefgh"),
            ("signature of another connection", RealtimeHost.Sign(RealtimeHost.AccessKey, "conn-other"), null),
            ("not hex", "sha256=zz", null),
            ("wrong algorithm label", "sha1=" + RealtimeHost.Sign(RealtimeHost.AccessKey, "conn-ana")["sha256=".Length..], null),
        };
        foreach (var (why, signature, key) in attempts)
        {
            using var response = await host.PostSystemEventAsync("disconnected", "ana", "conn-ana", signature, key);
            Assert.True(401 == (int)response.StatusCode, $"{why}: {(int)response.StatusCode}");
        }

        await host.SettledAsync();
        var after = await host.MeAsync("ana");
        Assert.True(after.GetProperty("available").GetBoolean());
        Assert.Equal(before.GetProperty("version").GetInt64(), after.GetProperty("version").GetInt64());
        Assert.DoesNotContain(host.Events, e => e.Type == AgentEventTypes.CapacityChanged && e.AgentId == "ana");

        // A signature list (primary,secondary) is accepted when one entry matches.
        using (var ok = await host.PostSystemEventAsync("disconnected", "ana", "conn-ana",
            "sha256=" + new string('0', 64) + "," + RealtimeHost.Sign(RealtimeHost.AccessKey, "conn-ana")))
        {
            Assert.True(ok.IsSuccessStatusCode);
        }

        await host.SettledAsync();
        Assert.False((await host.MeAsync("ana")).GetProperty("available").GetBoolean());
    }

    [Fact]
    public async Task R18_a_socket_opening_and_closing_drives_availability_through_the_hubs_event_handler()
    {
        await using var host = new RealtimeHost();
        await host.SetAvailableAsync("bruno", false);

        var bruno = await host.ConnectAsync("bruno");
        await host.WaitAvailableAsync("bruno", true);
        await bruno.WaitForAsync(f => f.Any(x => x.Type == AgentEventTypes.CapacityChanged && x.AgentId == "bruno"), "bruno's capacity event");

        await bruno.CloseAsync();
        await host.WaitAvailableAsync("bruno", false);
    }
}
