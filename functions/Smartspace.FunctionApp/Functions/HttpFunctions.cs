using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Smartspace.FunctionApp.Clients;

namespace Smartspace.FunctionApp.Functions;

/// <summary>
/// The HTTP functions. Each is anonymous at the Functions level: the webhook verifies Meta's
/// <c>X-Hub-Signature-256</c>, the Web PubSub handler the service's signature, and the agent API and
/// negotiate a bearer JWT — checks the feature code does, not function keys (which Meta and browsers cannot send).
/// The functions whose features reach the Durable entities (the webhook's signal, the agent API's starts, finishes and
/// reads, the connection events' availability) declare a <c>[DurableClient]</c> and hand it to <see cref="DurableClientAccessor"/>.
/// </summary>
public sealed class HttpFunctions(FunctionEndpoints endpoints, DurableClientAccessor durable)
{
    /// <summary>Meta's webhook: GET verification (hub.challenge), POST messages and statuses.</summary>
    [Function("whatsapp-webhook")]
    public async Task<IActionResult> WhatsAppWebhook(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "whatsapp/webhook")] HttpRequest request,
        [DurableClient] DurableTaskClient client)
    {
        durable.Use(client);
        return await endpoints.DispatchAsync(request);
    }

    /// <summary>The agent API (bearer JWT): conversations, messages, templates, history, admin.</summary>
    [Function("agent-api")]
    public async Task<IActionResult> AgentApi(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", Route = "agent/{*path}")] HttpRequest request,
        [DurableClient] DurableTaskClient client)
    {
        durable.Use(client);
        return await endpoints.DispatchAsync(request);
    }

    /// <summary>The Web PubSub client access URL for the signed-in agent.</summary>
    [Function("negotiate")]
    public Task<IActionResult> Negotiate([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "negotiate")] HttpRequest request) =>
        endpoints.DispatchAsync(request);

    /// <summary>Web PubSub's event handler (abuse-protection OPTIONS, connected/disconnected events: the agent's availability).</summary>
    [Function("webpubsub-events")]
    public async Task<IActionResult> WebPubSubEvents(
        [HttpTrigger(AuthorizationLevel.Anonymous, "options", "post", Route = "webpubsub/events")] HttpRequest request,
        [DurableClient] DurableTaskClient client)
    {
        durable.Use(client);
        return await endpoints.DispatchAsync(request);
    }

    [Function("health")]
    public Task<IActionResult> Health([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "health")] HttpRequest request) =>
        endpoints.DispatchAsync(request);

    [Function("openapi")]
    public Task<IActionResult> OpenApi([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi/{document}")] HttpRequest request) =>
        endpoints.DispatchAsync(request);
}
