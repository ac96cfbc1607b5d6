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
/// with WorkerTerminate at the end.
/// </summary>
public sealed class FunctionAppFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("smartspace-functionapp-data-").FullName;
    private WorkerProtocolHost? _host;

    public WorkerProtocolHost Host => _host ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        var app = await PublishedFunctionApp.DirectoryAsync();
        _host = await StartAsync(app, _dataDirectory);
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

    /// <summary>An agent-API request with a bearer token for <paramref name="agentId"/>.</summary>
    public Task<HttpInvocationResult> AgentGetAsync(string path, string agentId, string role)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestSecrets.AgentToken(agentId, role));
        return Host.SendHttpAsync(request);
    }
}
