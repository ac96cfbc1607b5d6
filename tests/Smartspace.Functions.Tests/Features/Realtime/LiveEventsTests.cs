using System.Text.Json;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Realtime;
using Smartspace.Functions.Tests.Features.MetaWebhook;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Realtime;

/// <summary>
/// A customer's signed Meta webhook driven end to end to agents' sockets (reliable JSON subprotocol,
/// URL from <c>/api/negotiate</c>): the assigned agent, the contact center's supervisors, and nobody
/// of another contact center. Design: "Real-time contract".
/// </summary>
public sealed class LiveEventsTests
{
    [Fact]
    public async Task R18_R19_customer_webhook_reaches_the_assigned_agents_socket_with_the_conversation_id_and_growing_versions()
    {
        await using var host = new RealtimeHost();
        await host.SetAvailableAsync("bruno", false); // only ana can take the conversation
        var ana = await host.ConnectAsync("ana");
        Assert.Equal("ana", ana.UserId);

        Assert.Equal(200, await host.CustomerSaysAsync("5511987001122", "Olá, quero ajuda"));
        var frames = await ana.WaitForEventAsync(AgentEventTypes.ConversationAssigned);
        var assigned = frames.Single(f => f.Type == AgentEventTypes.ConversationAssigned);
        var conversationId = assigned.ConversationId;
        Assert.False(string.IsNullOrEmpty(conversationId));
        Assert.Equal("ana", assigned.AgentId);
        Assert.Equal(HandlerFactory.TenantId, assigned.TenantId);
        Assert.True(assigned.Version > 0);
        Assert.Equal("server", assigned.From); // sent to her user: a server message, as in Azure
        Assert.Null(assigned.Group);

        Assert.Equal(200, await host.CustomerSaysAsync("5511987001122", "Meu pedido não chegou"));
        Assert.Equal(200, await host.CustomerSaysAsync("5511987001122", "Pedido 4411"));
        frames = await ana.WaitForAsync(f => f.Count(x => x.Type == AgentEventTypes.MessageReceived) >= 2, "two message.received");
        var received = frames.Where(f => f.Type == AgentEventTypes.MessageReceived).ToList();
        Assert.All(received, r => Assert.Equal(conversationId, r.ConversationId));
        Assert.Equal(["Meu pedido não chegou", "Pedido 4411"], received.Select(r => r.Message!.Value.GetProperty("text").GetString()));

        // Every event of the conversation on her socket has a strictly greater version than the one before.
        var versions = frames.Where(f => f.ConversationId == conversationId).Select(f => f.Version).ToList();
        Assert.True(versions.Count >= 3);
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Count, versions.Distinct().Count());
        Assert.True(received[0].Version > assigned.Version);

        // The reliable protocol numbers every frame 1, 2, 3… on this connection.
        Assert.Equal(Enumerable.Range(1, frames.Count).Select(i => (long)i), frames.Select(f => f.SequenceId));
    }

    [Fact]
    public async Task R18_a_supervisor_receives_every_change_of_the_contact_center_through_the_supervisors_group()
    {
        await using var host = new RealtimeHost();
        await host.SetAvailableAsync("bruno", false);
        var ana = await host.ConnectAsync("ana");
        var carla = await host.ConnectAsync("carla", role: AgentRole.Supervisor);

        Assert.Equal(200, await host.CustomerSaysAsync("5511987003344", "Boa tarde"));
        var assigned = (await ana.WaitForEventAsync(AgentEventTypes.ConversationAssigned)).Single(f => f.Type == AgentEventTypes.ConversationAssigned);
        Assert.Equal(200, await host.CustomerSaysAsync("5511987003344", "Alguém aí?"));
        await ana.WaitForEventAsync(AgentEventTypes.MessageReceived, assigned.ConversationId);

        var seen = await carla.WaitForAsync(
            f => f.Any(x => x.Type == AgentEventTypes.MessageReceived && x.ConversationId == assigned.ConversationId),
            "the supervisor's copy of message.received");
        var ofConversation = seen.Where(f => f.ConversationId == assigned.ConversationId).ToList();
        Assert.Contains(ofConversation, f => f.Type == AgentEventTypes.ConversationQueued);
        Assert.Contains(ofConversation, f => f.Type == AgentEventTypes.ConversationAssigned && f.AgentId == "ana" && f.Version == assigned.Version);
        // Carla is not the agent of the conversation: she gets its changes as a member of supervisors.demo,
        // as group messages naming the group, the way Azure delivers a send to a group (issue 20).
        Assert.All(ofConversation, f =>
        {
            Assert.Equal("group", f.From);
            Assert.Equal(RealtimeGroups.Supervisors(HandlerFactory.TenantId), f.Group);
        });
        var members = await host.GroupConnectionsAsync(RealtimeGroups.Supervisors(HandlerFactory.TenantId));
        Assert.Equal([(carla.ConnectionId!, "carla")], members);
        var versions = ofConversation.Select(f => f.Version).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Count, versions.Distinct().Count());
    }

    [Fact]
    public async Task P5_a_template_status_change_reaches_every_agent_of_the_contact_center_as_a_group_message_of_its_everyone_group()
    {
        await using var host = new RealtimeHost();
        var ana = await host.ConnectAsync("ana");
        var carla = await host.ConnectAsync("carla", role: AgentRole.Supervisor);

        Assert.Equal(200, await host.MetaSaysAsync(WebhookJson.TemplateStatus("retomada_atendimento", "PAUSED")));

        // Sent to the group tenant.demo: a client listening only for server messages would miss it (issue 20).
        foreach (var socket in new[] { ana, carla })
        {
            var changed = (await socket.WaitForEventAsync(AgentEventTypes.TemplateChanged)).Single(f => f.Type == AgentEventTypes.TemplateChanged);
            Assert.Equal("group", changed.From);
            Assert.Equal(RealtimeGroups.Everyone(HandlerFactory.TenantId), changed.Group);
            Assert.Equal("retomada_atendimento", changed.Data.GetProperty("data").GetProperty("template").GetProperty("name").GetString());
        }
    }

    [Fact]
    public async Task TenantIsolation_agents_and_supervisors_of_another_contact_center_never_receive_demo_events()
    {
        await using var host = new RealtimeHost();
        var carla = await host.ConnectAsync("carla", role: AgentRole.Supervisor);
        var diego = await host.ConnectAsync("diego", "outro");
        // Even a supervisor token of "outro" (its own supervisors group) must not see demo's changes.
        var diegoAsSupervisor = await host.ConnectAsync("diego", "outro", AgentRole.Supervisor);

        Assert.Equal(200, await host.CustomerSaysAsync("5511987005566", "Oi, tudo bem?"));
        var demo = await carla.WaitForEventAsync(AgentEventTypes.ConversationAssigned);
        var conversationId = demo.First(f => f.Type == AgentEventTypes.ConversationAssigned).ConversationId;
        Assert.Equal(200, await host.CustomerSaysAsync("5511987005566", "Preciso de ajuda"));
        await carla.WaitForEventAsync(AgentEventTypes.MessageReceived, conversationId);

        // A marker for diego, published after every demo event above: the hub delivers one connection's
        // frames in order, so once the marker is in, anything of demo's would already be there too.
        await host.SetAvailableAsync("diego", false, "outro");
        foreach (var socket in new[] { diego, diegoAsSupervisor })
        {
            var got = await socket.WaitForAsync(f => f.Any(x => x.Type == AgentEventTypes.CapacityChanged && x.AgentId == "diego"), "diego's marker");
            Assert.All(got, f =>
            {
                Assert.Equal("outro", f.TenantId);
                Assert.NotEqual(conversationId, f.ConversationId);
                Assert.NotEqual(RealtimeGroups.Supervisors(HandlerFactory.TenantId), f.Group);
                Assert.NotEqual(RealtimeGroups.Everyone(HandlerFactory.TenantId), f.Group);
            });
        }

        Assert.DoesNotContain(await host.GroupConnectionsAsync(RealtimeGroups.Supervisors(HandlerFactory.TenantId)), m => m.UserId == "diego");
        Assert.DoesNotContain(await host.GroupConnectionsAsync(RealtimeGroups.Everyone(HandlerFactory.TenantId)), m => m.UserId == "diego");

        // And the demo supervisor does not get diego's marker either.
        Assert.DoesNotContain(carla.Frames, f => f.TenantId == "outro");
    }

    [Fact]
    public async Task R19_after_an_offline_period_the_api_returns_exactly_the_messages_after_the_last_version_seen()
    {
        await using var host = new RealtimeHost();
        await host.SetAvailableAsync("bruno", false);
        const string customer = "5511987007788";
        var ana = await host.ConnectAsync("ana");

        Assert.Equal(200, await host.CustomerSaysAsync(customer, "mensagem 1"));
        var assigned = (await ana.WaitForEventAsync(AgentEventTypes.ConversationAssigned)).Single(f => f.Type == AgentEventTypes.ConversationAssigned);
        var conversationId = assigned.ConversationId!;
        using var anaApi = host.ClientFor("ana");

        // Like the agent's screen: on assignment it loads the conversation once, then applies live events.
        var initial = await GetMessagesAsync(anaApi, conversationId, 0);
        var shownFirst = initial.Select(m => m.GetProperty("id").GetString()!).ToList();
        Assert.Equal(["mensagem 1"], initial.Select(m => m.GetProperty("text").GetString()));

        Assert.Equal(200, await host.CustomerSaysAsync(customer, "mensagem 2"));
        using (var reply = await anaApi.PostJsonAsync($"/api/agent/conversations/{conversationId}/messages", new { text = "Olá! Em que posso ajudar?" }))
        {
            Assert.Equal(202, (int)reply.StatusCode);
        }

        var live = await ana.WaitForAsync(
            f => f.Any(x => x.Type == AgentEventTypes.MessageReceived && x.ConversationId == conversationId)
                 && f.Any(x => x.Type == AgentEventTypes.MessageSent && x.ConversationId == conversationId)
                 && f.Any(x => x.Type == AgentEventTypes.MessageStatusChanged && x.ConversationId == conversationId),
            "message.received, message.sent and the reply's status from the Graph API");
        var lastSeen = live.Where(f => f.ConversationId == conversationId).Max(f => f.Version);
        // A message's later events (sent → status) update the same message in place: one entry per id.
        var shownLive = live.Where(f => f.ConversationId == conversationId && f.Message is not null).Select(f => f.Message!.Value.GetProperty("id").GetString()!).Distinct().ToList();
        Assert.Empty(shownFirst.Intersect(shownLive));

        // Offline: the socket goes away, and the conversation keeps changing.
        await ana.CloseAsync();
        Assert.Equal(200, await host.CustomerSaysAsync(customer, "mensagem 3 (offline)"));
        Assert.Equal(200, await host.CustomerSaysAsync(customer, "mensagem 4 (offline)"));
        Assert.Equal(200, await host.CustomerSaysAsync(customer, "mensagem 5 (offline)"));

        // Back online: a new socket, then the conversation's changes after the last version seen.
        var again = await host.ConnectAsync("ana");
        Assert.DoesNotContain(again.Frames, f => f.Type == AgentEventTypes.MessageReceived); // nothing replayed on a new connection
        var missed = await GetMessagesAsync(anaApi, conversationId, lastSeen);
        var everything = await GetMessagesAsync(anaApi, conversationId, 0);

        Assert.Equal(["mensagem 3 (offline)", "mensagem 4 (offline)", "mensagem 5 (offline)"], missed.Select(m => m.GetProperty("text").GetString()));
        Assert.All(missed, m => Assert.True(m.GetProperty("version").GetInt64() > lastSeen));
        var missedIds = missed.Select(m => m.GetProperty("id").GetString()!).ToList();
        Assert.Equal(missedIds.Count, missedIds.Distinct().Count());

        // Nothing missing, nothing twice: live events + resync = the whole conversation, disjoint.
        var allIds = everything.Select(m => m.GetProperty("id").GetString()!).ToList();
        Assert.Equal(5 + 1, allIds.Count);
        Assert.Empty(shownLive.Intersect(missedIds));
        Assert.Empty(shownFirst.Intersect(missedIds));
        Assert.Equal(allIds.Order(), shownFirst.Concat(shownLive).Concat(missedIds).Order());
        Assert.Equal(everything.Where(m => m.GetProperty("version").GetInt64() > lastSeen).Select(m => m.GetProperty("id").GetString()), missedIds);

        // Asking again after the newest version returns nothing.
        var newest = everything.Max(m => m.GetProperty("version").GetInt64());
        Assert.Empty(await GetMessagesAsync(anaApi, conversationId, newest));
    }

    private static async Task<List<JsonElement>> GetMessagesAsync(HttpClient client, string conversationId, long afterVersion)
    {
        using var response = await client.GetAsync($"/api/agent/conversations/{conversationId}?afterVersion={afterVersion}");
        Assert.Equal(200, (int)response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal(conversationId, body.GetProperty("conversation").GetProperty("id").GetString());
        return body.GetProperty("messages").EnumerateArray().ToList();
    }
}
