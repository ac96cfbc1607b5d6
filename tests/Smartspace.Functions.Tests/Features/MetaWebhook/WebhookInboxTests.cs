using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Smartspace.Functions.Features.MetaWebhook;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Meta.Signing;
using Smartspace.Storage.Sqlite;

namespace Smartspace.Functions.Tests.Features.MetaWebhook;

/// <summary>
/// P3 with the durable webhook inbox (Webhook:Inbox=On, SQLite): 200 means the verified body is fsynced in the inbox; the
/// ledger is updated right after, in each customer's arrival order; what a crash leaves in the inbox is applied at the
/// next start; a full inbox answers 503; a webhook that cannot be applied is dead-lettered, not retried forever.
/// </summary>
public sealed class WebhookInboxTests : IDisposable
{
    private const string Customer = "5511987654321";
    private readonly string directory = Path.Combine(Path.GetTempPath(), "smartspace-tests", "inbox-" + Guid.NewGuid().ToString("N"));
    private readonly List<IDisposable> disposables = [];

    private string StorePath => Path.Combine(directory, "store.db");

    private HandlerFactory Factory(params (string Key, string Value)[] settings)
    {
        var overrides = new Dictionary<string, string?> { ["Storage:SqlitePath"] = StorePath, ["Webhook:Inbox"] = "On" };
        foreach (var (key, value) in settings)
        {
            overrides[key] = value;
        }

        var factory = new HandlerFactory(overrides: overrides);
        disposables.Add(factory);
        return factory;
    }

    private WebApplicationFactory<Program> Wrapped(HandlerFactory factory, out SwitchableStore store)
    {
        var host = SwitchableStore.Wrap(factory);
        disposables.Add(host);
        store = host.Services.GetRequiredService<SwitchableStore>();
        return host;
    }

    private static Task<HttpResponseMessage> PostAsync(HandlerFactory factory, HttpClient client, string json, bool wait)
    {
        var body = Encoding.UTF8.GetBytes(json);
        return factory.PostWebhookAsync(body, MetaSignature.Compute(HandlerFactory.AppSecret, body), client, wait);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in 20 s");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task P3_WithTheInbox_A200IsAlreadyInTheInboxFile_BeforeTheLedgerIsWritten()
    {
        var factory = Factory();
        var host = Wrapped(factory, out var store);
        store.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inbox = host.Services.GetRequiredService<WebhookInbox>();
        Assert.True(inbox.Enabled);

        var response = await PostAsync(factory, host.CreateClient(), WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, "wamid.INBOX1", factory.Clock.GetUtcNow(), "olá")), wait: false);

        // Answered while the ledger write is still held: the body is durable in the inbox file, not yet in the ledger.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var reader = new SqliteInbox(SqliteInbox.PathBeside(StorePath)))
        {
            var pending = await reader.ReadPendingAsync(0, 10);
            var entry = Assert.Single(pending);
            Assert.Contains("wamid.INBOX1", Encoding.UTF8.GetString(entry.Body), StringComparison.Ordinal);
        }

        Assert.Equal(1, inbox.Status.Pending);
        store.Hold.SetResult();
        await WebhookInboxDrain.WaitAsync(host.CreateClient());
        var ledger = host.Services.GetRequiredService<LedgerStore>();
        Assert.Single(await ledger.QueryAllAsync(HandlerFactory.TenantId, "msg|", CancellationToken.None));
        Assert.Equal(1, inbox.Status.Applied);
    }

    [Fact]
    public async Task P3_WhatACrashLeftInTheInbox_IsAppliedAtTheNextStart_Once()
    {
        // A previous run acknowledged two webhooks (one delivered twice) and stopped before applying them.
        var at = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
        var first = Encoding.UTF8.GetBytes(WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, "wamid.LEFT1", at, "primeira")));
        var second = Encoding.UTF8.GetBytes(WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, "wamid.LEFT2", at.AddSeconds(1), "segunda")));
        using (var previous = new SqliteInbox(SqliteInbox.PathBeside(StorePath)))
        {
            await previous.AppendAsync(first, at);
            await previous.AppendAsync(second, at);
            await previous.AppendAsync(first, at);
        }

        var factory = Factory();
        await WebhookInboxDrain.WaitAsync(factory.CreateClient());

        var conversation = await factory.CurrentConversationAsync(Customer);
        var messages = await factory.MessagesAsync(conversation.ConversationId);
        Assert.Equal(["primeira", "segunda"], messages.Select(m => m.Body));
        Assert.Equal(3, factory.Get<WebhookInbox>().Status.Applied);
        Assert.Equal(1, factory.Get<WebhookMetrics>().DuplicateCount);

        // Applied entries leave the inbox file.
        await WaitUntilAsync(() => ReadPendingCount() == 0);
    }

    private long ReadPendingCount()
    {
        using var connection = OpenInboxFile();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM inbox";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>A second, read-only connection to the handler's inbox file (WAL): what it holds right now.</summary>
    private Microsoft.Data.Sqlite.SqliteConnection OpenInboxFile()
    {
        var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + SqliteInbox.PathBeside(StorePath) + ";Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }

    [Fact]
    public async Task P3_ACustomersWebhooksAreAppliedInArrivalOrder()
    {
        var factory = Factory();
        var host = Wrapped(factory, out var store);
        store.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = host.CreateClient();
        var at = factory.Clock.GetUtcNow();
        for (var i = 1; i <= 12; i++)
        {
            var json = WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, $"wamid.ORDER{i}", at, $"mensagem {i}"));
            Assert.Equal(HttpStatusCode.OK, (await PostAsync(factory, client, json, wait: false)).StatusCode);
        }

        store.Hold.SetResult();
        await WebhookInboxDrain.WaitAsync(client);
        var ledger = host.Services.GetRequiredService<LedgerStore>();
        var rows = await ledger.QueryAllAsync(HandlerFactory.TenantId, "msg|", CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => $"mensagem {i}"), rows.OrderBy(r => r.GetInt64("Seq")).Select(r => r.GetString("Body")));
    }

    [Fact]
    public async Task P3_FullInbox_Is503AndStoresNothing_UntilItDrains()
    {
        var factory = Factory(("Webhook:InboxMaxPending", "2"));
        var host = Wrapped(factory, out var store);
        store.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = host.CreateClient();
        var at = factory.Clock.GetUtcNow();
        string Message(int i) => WebhookJson.SingleMessage("55119876543" + i.ToString("00", System.Globalization.CultureInfo.InvariantCulture), WebhookJson.TextMessage("55119876543" + i.ToString("00", System.Globalization.CultureInfo.InvariantCulture), $"wamid.FULL{i}", at, "oi"));

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(factory, client, Message(1), wait: false)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(factory, client, Message(2), wait: false)).StatusCode);
        var refused = await PostAsync(factory, client, Message(3), wait: false);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("Meta will retry", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var inbox = host.Services.GetRequiredService<WebhookInbox>();
        Assert.Equal(2, inbox.Status.Appended);

        store.Hold.SetResult();
        await WebhookInboxDrain.WaitAsync(client);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(factory, client, Message(3), wait: true)).StatusCode);
        var ledger = host.Services.GetRequiredService<LedgerStore>();
        Assert.Equal(3, (await ledger.QueryAllAsync(HandlerFactory.TenantId, "msg|", CancellationToken.None)).Count);
    }

    [Fact]
    public async Task P3_AWebhookThatKeepsFailing_IsDeadLetteredWithTheReason_AndTheNextOnesStillApply()
    {
        var factory = Factory(("Webhook:MaxApplyAttempts", "2"));
        var host = Wrapped(factory, out var store);
        var client = host.CreateClient();
        store.Fault = new InvalidOperationException("simulated bug");
        var at = factory.Clock.GetUtcNow();

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(factory, client, WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, "wamid.POISON", at, "veneno")), wait: false)).StatusCode);
        var inbox = host.Services.GetRequiredService<WebhookInbox>();
        await WaitUntilAsync(() => inbox.Status.DeadLettered == 1);
        store.Fault = null;
        await (await PostAsync(factory, client, WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, "wamid.GOOD", at.AddSeconds(1), "boa")), wait: true)).AssertOkAsync();

        var ledger = host.Services.GetRequiredService<LedgerStore>();
        var row = Assert.Single(await ledger.QueryAllAsync(HandlerFactory.TenantId, "msg|", CancellationToken.None));
        Assert.Equal("boa", row.GetString("Body"));
        using var connection = OpenInboxFile();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT reason, attempts, body FROM dead_letters";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Contains("simulated bug", reader.GetString(0), StringComparison.Ordinal);
        Assert.Equal(2, reader.GetInt32(1));
        Assert.Contains("wamid.POISON", Encoding.UTF8.GetString((byte[])reader.GetValue(2)), StringComparison.Ordinal);
        var health = await client.GetStringAsync("/api/health");
        Assert.Contains("\"deadLettered\":1", health, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LGPD_ExportShowsAndErasureRemovesTheCustomersDeadLetters_OnlyForItsOwnContactCenter_AndRetentionAgesTheRestOut()
    {
        var factory = Factory(("Webhook:MaxApplyAttempts", "1"));
        var host = Wrapped(factory, out var store);
        var client = host.CreateClient();
        var inbox = host.Services.GetRequiredService<WebhookInbox>();
        var at = factory.Clock.GetUtcNow();
        store.Fault = new InvalidOperationException("simulated bug");
        const string Other = "5521988887777";
        await (await PostAsync(factory, client, WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, "wamid.DL1", at, "meu cpf é 123")), wait: false)).AssertOkAsync();
        await WaitUntilAsync(() => inbox.Status.DeadLettered == 1);
        await (await PostAsync(factory, client, WebhookJson.SingleMessage(Other, WebhookJson.TextMessage(Other, "wamid.DL2", at, "outro")), wait: false)).AssertOkAsync();
        await WaitUntilAsync(() => inbox.Status.DeadLettered == 2);
        store.Fault = null;
        Assert.Equal(2, DeadLetterCount());

        // The export shows it (the ledger never saw this customer: their only message was dead-lettered).
        var supervisor = ClientOf(host, "carla", HandlerFactory.TenantId);
        using (var export = await supervisor.PostAsJsonAsync("/api/agent/admin/privacy/export", new { number = Customer }))
        {
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
            using var zip = new System.IO.Compression.ZipArchive(await export.Content.ReadAsStreamAsync());
            var dead = Assert.Single(zip.Entries, e => e.FullName.StartsWith("dead-letters/", StringComparison.Ordinal));
            using var text = new StreamReader(dead.Open());
            var json = await text.ReadToEndAsync();
            Assert.Contains("meu cpf é 123", json, StringComparison.Ordinal);
            Assert.DoesNotContain("wamid.DL2", json, StringComparison.Ordinal);
        }

        // Another contact center's supervisor, whatever the number: nothing of this contact center's inbox goes.
        var outside = ClientOf(host, "elisa", "outro");
        using (var refused = await outside.PostAsJsonAsync("/api/agent/admin/privacy/erasure", new { number = Customer }))
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        using (var refused = await outside.PostAsJsonAsync("/api/agent/admin/privacy/export", new { number = Customer }))
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        Assert.Equal(2, DeadLetterCount());

        // The erasure finds and removes it, though the ledger knows nothing of the customer.
        using (var erased = await supervisor.PostAsJsonAsync("/api/agent/admin/privacy/erasure", new { number = Customer }))
        {
            Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
            Assert.Contains("\"deadLetters\":1", await erased.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(1, DeadLetterCount());
        Assert.DoesNotContain("wamid.DL1", string.Join('\n', DeadLetterBodies()), StringComparison.Ordinal);

        // Retention: a dead letter is kept no longer than the shortest message retention.
        var retention = host.Services.GetRequiredService<Smartspace.Functions.Features.Privacy.RetentionSweeper>();
        Assert.NotNull(await retention.RunAsync(CancellationToken.None));
        Assert.Equal(1, DeadLetterCount());
        factory.Clock.Advance(TimeSpan.FromDays(1826));
        Assert.NotNull(await retention.RunAsync(CancellationToken.None));
        Assert.Equal(0, DeadLetterCount());
    }

    private static HttpClient ClientOf(WebApplicationFactory<Program> host, string supervisorId, string tenantId)
    {
        var client = host.CreateClient();
        var token = host.Services.GetRequiredService<Smartspace.Functions.Features.Auth.AgentTokenIssuer>().Issue(tenantId, supervisorId, Smartspace.Core.Conversations.AgentRole.Supervisor);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private long DeadLetterCount()
    {
        using var connection = OpenInboxFile();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM dead_letters";
        return (long)command.ExecuteScalar()!;
    }

    private List<string> DeadLetterBodies()
    {
        using var connection = OpenInboxFile();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT body FROM dead_letters";
        using var reader = command.ExecuteReader();
        var bodies = new List<string>();
        while (reader.Read())
        {
            bodies.Add(Encoding.UTF8.GetString((byte[])reader.GetValue(0)));
        }

        return bodies;
    }

    [Fact]
    public async Task P3_InboxOffByDefault_AppliesBeforeAnswering()
    {
        var factory = new HandlerFactory(overrides: new Dictionary<string, string?> { ["Storage:SqlitePath"] = StorePath });
        disposables.Add(factory);
        var host = Wrapped(factory, out var store);
        store.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var post = PostAsync(factory, host.CreateClient(), WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, "wamid.INLINE", factory.Clock.GetUtcNow(), "oi")), wait: false);

        await Task.Delay(300);
        Assert.False(post.IsCompleted); // waits for the ledger
        store.Hold.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await post).StatusCode);
        Assert.False(host.Services.GetRequiredService<WebhookInbox>().Enabled);
        Assert.False(File.Exists(SqliteInbox.PathBeside(StorePath)));
    }

    public void Dispose()
    {
        foreach (var disposable in Enumerable.Reverse(disposables))
        {
            disposable.Dispose();
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
