using System.Text.Json;
using System.Text.Json.Nodes;

namespace Smartspace.Functions.Hosting;

/// <summary>
/// A non-HTTP Azure Function (a timer) served by the custom handler: the Functions host posts
/// <c>{"Data":…,"Metadata":…}</c> to <c>/&lt;FunctionName&gt;</c> and waits for
/// <c>{"Outputs":…,"Logs":…,"ReturnValue":…}</c>. An empty 200 would never complete the invocation.
/// </summary>
public interface IInvokedFunction
{
    /// <summary>The function's folder name, which is also the invocation path.</summary>
    string Name { get; }

    Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken);
}

/// <param name="Data">The trigger/input bindings by name (a timer: <c>Schedule</c>, <c>ScheduleStatus</c>, <c>IsPastDue</c>).</param>
public sealed record InvocationRequest(JsonObject Data, JsonObject Metadata)
{
    /// <summary>True when any timer binding in <see cref="Data"/> says the run is late.</summary>
    public bool IsPastDue => Data.Select(p => p.Value).OfType<JsonObject>()
        .Any(t => t.TryGetPropertyValue("IsPastDue", out var v) && v is JsonValue b && b.TryGetValue<bool>(out var late) && late);
}

public sealed record InvocationResult(IReadOnlyList<string> Logs, JsonNode? ReturnValue = null);

public static class FunctionInvocationEndpoints
{
    /// <summary>Maps <c>POST /{name}</c> for every registered invoked function.</summary>
    public static void MapInvokedFunctions(this IEndpointRouteBuilder endpoints)
    {
        foreach (var function in endpoints.ServiceProvider.GetServices<IInvokedFunction>())
        {
            var name = function.Name;
            endpoints.MapPost("/" + name, async (HttpContext context, CancellationToken cancellationToken) =>
            {
                var target = context.RequestServices.GetServices<IInvokedFunction>().Single(f => f.Name == name);
                JsonObject data;
                JsonObject metadata;
                try
                {
                    var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: cancellationToken) as JsonObject;
                    data = body?["Data"] as JsonObject ?? new JsonObject();
                    metadata = body?["Metadata"] as JsonObject ?? new JsonObject();
                }
                catch (JsonException)
                {
                    return Results.BadRequest(new { error = "The invocation body must be a JSON object with Data and Metadata." });
                }

                var result = await target.InvokeAsync(new InvocationRequest(data, metadata), cancellationToken);
                return Results.Json(new JsonObject
                {
                    ["Outputs"] = new JsonObject(),
                    ["Logs"] = new JsonArray(result.Logs.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
                    ["ReturnValue"] = result.ReturnValue?.DeepClone(),
                });
            }).WithMetadata(new InvokedFunctionMetadata(name));
        }
    }
}

/// <summary>Marks an endpoint that serves a non-HTTP function invocation.</summary>
public sealed record InvokedFunctionMetadata(string FunctionName);

/// <summary>Marks an endpoint that exists only in local mode (embedded hub, Meta sandbox, dev tokens): it has no function.json.</summary>
public sealed class LocalOnlyMetadata
{
    public static readonly LocalOnlyMetadata Instance = new();
}

public static class LocalOnlyExtensions
{
    public static TBuilder LocalOnly<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(b => b.Metadata.Add(LocalOnlyMetadata.Instance));
        return builder;
    }
}
