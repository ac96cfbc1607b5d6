using System.Net;
using System.Net.Http.Json;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Privacy;

/// <summary>LGPD retention: per contact center settings, and a timer that removes exactly what is older than them.</summary>
public sealed class RetentionTests : IDisposable
{
    private const string Typed = "11987650505";
    private HandlerFactory factory = new();

    private LedgerStore Ledger => factory.Get<LedgerStore>();

    private async Task<List<MessageRow>> MessagesAsync(string conversationId) =>
        await Ledger.GetMessagesAsync(HandlerFactory.TenantId, conversationId, 0, CancellationToken.None);

    private async Task<string> RunRetentionAsync()
    {
        using var response = await factory.CreateClient().PostAsync("/api/local/timers/retention", content: null);
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body.GetProperty("logs")[0].GetString()!;
    }

    private async Task SetRetentionAsync(int messageDays, int mediaDays)
    {
        using var response = await factory.Supervisor().PutAsJsonAsync(PrivacyDesk.Settings, new { messageRetentionDays = messageDays, mediaRetentionDays = mediaDays });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task LGPD_Retention_RemovesExactlyWhatIsOlderThanTheSetting()
    {
        // m1 text at T, m2 image at T+1 s, m3 image at T+2 s; messages kept 30 days, media 20 days.
        var t = factory.Clock.GetUtcNow();
        await factory.CustomerWritesAsync(Typed, "wamid.ret.1", t, "m1", "Rui Retido");
        await factory.CustomerSendsImageAsync("55" + Typed, "wamid.ret.2", t.AddSeconds(1), "m2", "Rui Retido");
        await factory.CustomerSendsImageAsync("55" + Typed, "wamid.ret.3", t.AddSeconds(2), "m3", "Rui Retido");
        var id = (await factory.CurrentConversationAsync(Typed)).ConversationId;
        await SetRetentionAsync(30, 20);

        // Media cutoff = T+2 s: m2's media is older, m3's is exactly as old as the setting (kept).
        factory.Clock.Advance(TimeSpan.FromDays(20) + TimeSpan.FromSeconds(2));
        await RunRetentionAsync();
        var messages = await MessagesAsync(id);
        Assert.Equal([1L, 2L, 3L], messages.Select(m => m.Seq));
        Assert.Equal([false, false, true], messages.Select(m => m.MediaJson is not null));
        Assert.Equal("📷 Imagem — m2", messages[1].DisplayText);

        // Message cutoff = T+1 s: only m1 is older; m3's media is now older than 20 days.
        factory.Clock.Advance(TimeSpan.FromDays(10) - TimeSpan.FromSeconds(1));
        await RunRetentionAsync();
        messages = await MessagesAsync(id);
        Assert.Equal([2L, 3L], messages.Select(m => m.Seq));
        Assert.All(messages, m => Assert.Null(m.MediaJson));
        Assert.Null(await Ledger.GetAsync(HandlerFactory.TenantId, Keys.Wamid("wamid.ret.1"), CancellationToken.None));
        Assert.NotNull(await Ledger.GetAsync(HandlerFactory.TenantId, Keys.Wamid("wamid.ret.2"), CancellationToken.None));

        var runs = (await factory.AuditAsync()).Where(a => a.GetProperty("action").GetString() == "retention.run").ToList();
        Assert.Equal(2, runs.Count);
        Assert.Equal((1, 1), (runs[0].GetProperty("details").GetProperty("messagesDeleted").GetInt32(), runs[0].GetProperty("details").GetProperty("mediaRemoved").GetInt32()));
        Assert.All(runs, r => Assert.Equal("timer:retention", r.GetProperty("actor").GetString()));
    }

    [Fact]
    public async Task LGPD_Retention_WorksInBoundedRuns_AndTheNextRunContinues()
    {
        factory.Dispose();
        factory = new HandlerFactory(overrides: new Dictionary<string, string?> { ["Privacy:RetentionMaxRowsPerRun"] = "2" });
        var t = factory.Clock.GetUtcNow();
        for (var i = 1; i <= 3; i++)
        {
            await factory.CustomerWritesAsync(Typed, $"wamid.bound.{i}", t.AddSeconds(i), $"old {i}", "Rui Retido");
        }

        var id = (await factory.CurrentConversationAsync(Typed)).ConversationId;
        await SetRetentionAsync(1, 1);
        factory.Clock.Advance(TimeSpan.FromDays(2));

        Assert.Contains("deleted 2 messages", await RunRetentionAsync(), StringComparison.Ordinal);
        Assert.Single(await MessagesAsync(id));
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Contains("deleted 1 messages", await RunRetentionAsync(), StringComparison.Ordinal);
        Assert.Empty(await MessagesAsync(id));
        var runs = (await factory.AuditAsync()).Where(a => a.GetProperty("action").GetString() == "retention.run").Select(r => r.GetProperty("outcome").GetString());
        Assert.Equal(["done", "partial"], runs);
    }

    [Fact]
    public async Task LGPD_RetentionSettings_DefaultsThenPerContactCenter_BadValuesChangeNothing_ChangesAudited()
    {
        var carla = factory.Supervisor();
        var defaults = await carla.GetJsonAsync(PrivacyDesk.Settings);
        Assert.Equal((1825, 365, true), (defaults.GetProperty("messageRetentionDays").GetInt32(), defaults.GetProperty("mediaRetentionDays").GetInt32(), defaults.GetProperty("isDefault").GetBoolean()));

        await SetRetentionAsync(90, 30);
        foreach (var bad in new object[] { new { messageRetentionDays = 30, mediaRetentionDays = 90 }, new { messageRetentionDays = 0, mediaRetentionDays = 0 }, new { messageRetentionDays = 4000, mediaRetentionDays = 30 }, new { messageRetentionDays = 30 } })
        {
            using var response = await carla.PutAsJsonAsync(PrivacyDesk.Settings, bad);
            await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
        }

        var saved = await carla.GetJsonAsync(PrivacyDesk.Settings);
        Assert.Equal((90, 30, false), (saved.GetProperty("messageRetentionDays").GetInt32(), saved.GetProperty("mediaRetentionDays").GetInt32(), saved.GetProperty("isDefault").GetBoolean()));
        var other = await factory.Supervisor("outro").GetJsonAsync(PrivacyDesk.Settings);
        Assert.True(other.GetProperty("isDefault").GetBoolean());
        var entry = Assert.Single(await factory.AuditAsync(), a => a.GetProperty("action").GetString() == "privacy.settings");
        Assert.Equal(90, entry.GetProperty("details").GetProperty("after").GetProperty("messageRetentionDays").GetInt32());
    }

    public void Dispose() => factory.Dispose();
}
