using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Smartspace.FunctionApp.Functions;

/// <summary>
/// The HTTP functions. Each is anonymous at the Functions level: the webhook verifies Meta's
/// <c>X-Hub-Signature-256</c>, the Web PubSub handler the service's signature, and the agent API and
/// negotiate a bearer JWT — checks the feature code does, not function keys (which Meta and browsers cannot send).
/// </summary>
public sealed class HttpFunctions(FunctionEndpoints endpoints)
{
    /// <summary>Meta's webhook: GET verification (hub.challenge), POST messages and statuses.</summary>
    [Function("whatsapp-webhook")]
    public Task<IActionResult> WhatsAppWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "whatsapp/webhook")] HttpRequest request) =>
        endpoints.DispatchAsync(request);

    /// <summary>The agent API (bearer JWT): conversations, messages, templates, history, admin.</summary>
    [Function("agent-api")]
    public Task<IActionResult> AgentApi([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", Route = "agent/{*path}")] HttpRequest request) =>
        endpoints.DispatchAsync(request);

    /// <summary>The Web PubSub client access URL for the signed-in agent.</summary>
    [Function("negotiate")]
    public Task<IActionResult> Negotiate([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "negotiate")] HttpRequest request) =>
        endpoints.DispatchAsync(request);

    /// <summary>Web PubSub's event handler (abuse-protection OPTIONS, connected/disconnected events).</summary>
    [Function("webpubsub-events")]
    public Task<IActionResult> WebPubSubEvents([HttpTrigger(AuthorizationLevel.Anonymous, "options", "post", Route = "webpubsub/events")] HttpRequest request) =>
        endpoints.DispatchAsync(request);

    [Function("health")]
    public Task<IActionResult> Health([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "health")] HttpRequest request) =>
        endpoints.DispatchAsync(request);

    [Function("openapi")]
    public Task<IActionResult> OpenApi([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi/{document}")] HttpRequest request) =>
        endpoints.DispatchAsync(request);
}
