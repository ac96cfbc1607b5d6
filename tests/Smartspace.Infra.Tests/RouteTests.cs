using Smartspace.Infra.Tests.Infrastructure;

namespace Smartspace.Infra.Tests;

/// <summary>
/// URLs the deployment hands out (outputs, Web PubSub event handler) hit real function routes:
/// https://&lt;app host&gt;/&lt;routePrefix from host.json&gt;/&lt;route from the Function App's functions.metadata&gt;.
/// </summary>
public class RouteTests
{
    private static string ExpectedPath(string functionName) =>
        $"/{HandlerLayout.RoutePrefix}/{HandlerLayout.Http(functionName).Route}";

    [Fact]
    public void Host_json_route_prefix_is_api()
    {
        Assert.Equal("api", HandlerLayout.RoutePrefix);
    }

    [Fact]
    public void Webhook_url_output_is_the_whatsapp_webhook_function_route()
    {
        var path = HandlerLayout.AppUrlPath(CompiledInfra.Instance.Main.OutputValue("webhookUrl"));

        Assert.Equal(ExpectedPath("whatsapp-webhook"), path);
        Assert.EndsWith("/api/whatsapp/webhook", path, StringComparison.Ordinal);
        Assert.Contains("GET", HandlerLayout.Http("whatsapp-webhook").Methods); // Meta's verification handshake
        Assert.Contains("POST", HandlerLayout.Http("whatsapp-webhook").Methods);
    }

    [Fact]
    public void Negotiate_url_output_is_the_negotiate_function_route()
    {
        var path = HandlerLayout.AppUrlPath(CompiledInfra.Instance.Main.OutputValue("negotiateUrl"));

        Assert.Equal(ExpectedPath("negotiate"), path);
    }

    [Fact]
    public void Web_PubSub_event_handler_targets_the_webpubsub_events_function_route()
    {
        var hub = CompiledInfra.Instance.Main.Single("Microsoft.SignalRService/webPubSub/hubs");
        var handlers = hub.Properties!["eventHandlers"]!.AsArray();
        var handler = Assert.Single(handlers);

        var path = HandlerLayout.AppUrlPath(handler!["urlTemplate"]!.ToString());
        Assert.Equal(ExpectedPath("webpubsub-events"), path);
        Assert.Equal(path, HandlerLayout.AppUrlPath(CompiledInfra.Instance.Main.OutputValue("webPubSubEventHandlerUrl")));
    }

    [Fact]
    public void Webpubsub_events_function_answers_the_OPTIONS_handshake_and_POSTed_events()
    {
        var methods = HandlerLayout.Http("webpubsub-events").Methods;

        Assert.Contains("OPTIONS", methods);
        Assert.Contains("POST", methods);
    }

    [Fact]
    public void Every_app_url_in_the_template_reaches_an_existing_http_function()
    {
        var prefix = HandlerLayout.RoutePrefix;
        var functions = HandlerLayout.HttpFunctions();
        var paths = ArmTemplate.AllStrings(CompiledInfra.Instance.MainJson)
            .Select(s => (s.Path, UrlPath: HandlerLayout.AppUrlPath(s.Value)))
            .Where(s => s.UrlPath is not null)
            .ToList();

        Assert.NotEmpty(paths);
        Assert.All(paths, p => Assert.True(
            functions.Any(f => f.PathPattern(prefix).IsMatch(p.UrlPath!)),
            $"{p.Path} builds {p.UrlPath}, which no function route answers"));
    }

    [Fact]
    public void Every_http_function_route_is_served_under_the_route_prefix()
    {
        var functions = HandlerLayout.HttpFunctions();

        Assert.NotEmpty(functions);
        Assert.All(functions, f =>
        {
            Assert.False(f.Route.StartsWith(HandlerLayout.RoutePrefix + "/", StringComparison.Ordinal),
                $"{f.Name}: route '{f.Route}' repeats the prefix; the host adds '{HandlerLayout.RoutePrefix}/' itself");
            Assert.Matches(f.PathPattern(HandlerLayout.RoutePrefix), SamplePath(f.Route));
        });
    }

    private static string SamplePath(string route) =>
        "/" + HandlerLayout.RoutePrefix + "/" + System.Text.RegularExpressions.Regex.Replace(route, @"\{[^}]+}", "x");
}
