using System.Net.Http.Headers;
using System.Text;
using Smartspace.WorkerHost;

namespace Smartspace.FunctionApp.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class FunctionAppCollection : ICollectionFixture<FunctionAppFixture>
{
    public const string Name = "Function App over the worker protocol";
}

/// <summary>
/// The published Function App, started once for the collection by <see cref="WorkerProtocolHost"/> with local
/// settings (Azure Tables and Blob Storage on Azurite under a fresh table prefix, embedded Web PubSub, no Meta sandbox, the test secrets), and stopped
/// with WorkerTerminate at the end. There is no Functions host, so no Durable extension: the worker runs the entities and
/// orchestrations itself (<c>Durable:Enabled</c>) on a task hub of its own in the same Azurite.
/// </summary>
public sealed class FunctionAppFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("smartspace-functionapp-data-").FullName;
    private WorkerProtocolHost? _host;

    public WorkerProtocolHost Host => _host ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>The app settings the collection's worker runs with (its table prefix holds the seeded demo contact center).</summary>
    public IReadOnlyDictionary<string, string?> AppSettings { get; private set; } = new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        var app = await PublishedFunctionApp.DirectoryAsync();
        AppSettings = Settings(_dataDirectory);
        _host = await WorkerProtocolHost.StartAsync(new WorkerHostOptions { AppDirectory = app, AppSettings = AppSettings });
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // the OS temp cleaner takes it
        }
    }

    /// <summary>Starts a worker over <paramref name="appDirectory"/> with the test settings and its data in <paramref name="dataDirectory"/>.</summary>
    public static Task<WorkerProtocolHost> StartAsync(string appDirectory, string dataDirectory) =>
        WorkerProtocolHost.StartAsync(new WorkerHostOptions { AppDirectory = appDirectory, AppSettings = Settings(dataDirectory) });

    /// <summary>The app settings, as Azure would set them (environment variables, <c>Section__Key</c>).</summary>
    public static IReadOnlyDictionary<string, string?> Settings(string dataDirectory) => Settings(dataDirectory, Smartspace.Testing.AzuriteFixture.NewTablePrefix("fa"));

    /// <summary>How long a test waits for what the customer's entity does after the webhook answered (the message placed ~10–300 ms later).</summary>
    public static readonly TimeSpan PlacementTimeout = TimeSpan.FromSeconds(20);

    private static Dictionary<string, string?> Settings(string dataDirectory, string prefix) => new()
    {
        ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["DOTNET_ENVIRONMENT"] = "Development",
        ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        ["Local__Enabled"] = "true",
        ["Storage__TablesConnectionString"] = Smartspace.Testing.AzuriteHost.SharedConnectionString(),
        ["Storage__TablePrefix"] = prefix,
        ["Storage__MediaContainer"] = "media-" + prefix,
        // The Durable extension is the Functions host's: without it the worker runs the runtime in process, on a task hub of
        // its own (letters and digits; its queues, tables and blob container are named after it) with the tables' Azurite
        // as its storage (Storage:TablesConnectionString), one partition, and a short idle poll so a signal is taken at once.
        ["Durable__Enabled"] = "true",
        ["Durable__TaskHub"] = "hub" + prefix,
        ["Durable__PartitionCount"] = "1",
        ["Durable__MaxQueuePollingInterval"] = "00:00:00.100",
        ["Meta__AppSecret"] = TestSecrets.AppSecret,
        ["Meta__VerifyToken"] = TestSecrets.VerifyToken,
        ["Meta__AccessToken"] = TestSecrets.AccessToken,
        ["Meta__GraphBaseUrl"] = "http://127.0.0.1:9/graph",
        ["Meta__SandboxEnabled"] = "false",
        ["WebPubSub__Mode"] = "Embedded",
        ["WebPubSub__Endpoint"] = "http://127.0.0.1:9",
        ["WebPubSub__AccessKey"] = TestSecrets.WebPubSubAccessKey,
        ["WebPubSub__Hub"] = "agents",
        ["Auth__Issuer"] = TestSecrets.Issuer,
        ["Auth__Audience"] = TestSecrets.Audience,
        ["Auth__SigningKey"] = TestSecrets.SigningKey,
        ["Auth__Authority"] = "",
        ["Auth__DevTokensEnabled"] = "false",
        ["Seed__File"] = "seed/demo-contact-center.json",
        ["Timers__Hosted"] = "false",
        ["Telemetry__Exporter"] = "None",
        // Inherited variables that would redirect the worker or its settings.
        ["ASPNETCORE_URLS"] = null,
        ["SMARTSPACE_SETTINGS_FILE"] = null,
    };

    /// <summary>POSTs <paramref name="json"/> to the webhook signed as Meta does.</summary>
    public Task<HttpInvocationResult> PostWebhookAsync(string json, string? signature = null)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/whatsapp/webhook") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", signature ?? TestSecrets.MetaSignature(body));
        return Host.SendHttpAsync(request);
    }

    /// <summary>
    /// The id of the conversation of the customer named <paramref name="customerName"/> in the supervisor's list, once it is
    /// there: the webhook answers once the message is staged and signalled, and the customer's entity places it (and creates
    /// the conversation) shortly after, so a test polls — every 100 ms, for at most <see cref="PlacementTimeout"/>.
    /// </summary>
    public async Task<string> WaitForConversationAsync(string customerName)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var list = await AgentGetAsync("/api/agent/conversations", "carla", "supervisor");
            Assert.True(list.StatusCode == System.Net.HttpStatusCode.OK, list + " " + list.Body);
            if (FindByCustomerName(list.Body, customerName) is { } id)
            {
                return id;
            }

            Assert.True(clock.Elapsed < PlacementTimeout, $"no conversation for '{customerName}' after {PlacementTimeout.TotalSeconds:0} s; the list: {list.Body}");
            await Task.Delay(100);
        }
    }

    /// <summary>The id of the conversation whose <c>customerName</c> is <paramref name="customerName"/> in a conversation list, or null.</summary>
    public static string? FindByCustomerName(string listJson, string customerName)
    {
        using var document = System.Text.Json.JsonDocument.Parse(listJson);
        var items = document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Array
            ? document.RootElement
            : document.RootElement.EnumerateObject().Select(p => p.Value).FirstOrDefault(v => v.ValueKind == System.Text.Json.JsonValueKind.Array);
        if (items.ValueKind != System.Text.Json.JsonValueKind.Array)
        {
            return null;
        }

        foreach (var item in items.EnumerateArray())
        {
            if (item.TryGetProperty("customerName", out var name) && name.GetString() == customerName)
            {
                return item.GetProperty("id").GetString();
            }
        }

        return null;
    }

    /// <summary>An agent-API request with a bearer token for <paramref name="agentId"/>.</summary>
    public Task<HttpInvocationResult> AgentGetAsync(string path, string agentId, string role)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestSecrets.AgentToken(agentId, role));
        return Host.SendHttpAsync(request);
    }
}
