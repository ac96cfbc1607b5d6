using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Smartspace.Meta.Graph;
using Smartspace.Meta.Options;

namespace Smartspace.Meta.Tests.Support;

internal static class Graph
{
    public const string Token = "test-access-token";

    public static MetaOptions Options(string baseUrl = "https://graph.facebook.com") => new()
    {
        AppSecret = "test-app-secret",
        VerifyToken = "test-verify-token",
        GraphBaseUrl = baseUrl,
        GraphApiVersion = "v23.0",
        AccessToken = Token,
    };

    public static GraphApiClient Client(HttpMessageHandler handler, MetaOptions? options = null) =>
        new(new HttpClient(handler), new StaticOptionsMonitor<MetaOptions>(options ?? Options()), NullLogger<GraphApiClient>.Instance);

    /// <summary>Minified JSON with the property order kept, so two documents compare exactly.</summary>
    public static string Minify(string json) =>
        System.Text.Json.Nodes.JsonNode.Parse(json)!.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
}

internal sealed class StaticOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
