using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Smartspace.Functions.Hosting;

namespace Smartspace.FunctionApp;

/// <summary>
/// The feature endpoints of <see cref="Composition.MapSmartspaceFunctions"/> behind the shared middleware
/// (<see cref="Composition.UseSmartspace"/>), as one request pipeline. Each HTTP function hands it the
/// invocation's <see cref="HttpContext"/>, so a request reaches the same endpoint, with the same binding,
/// authorization and error handling, as on the local host.
/// </summary>
public sealed class FunctionEndpoints
{
    private readonly RequestDelegate pipeline;

    public FunctionEndpoints(IServiceProvider services)
    {
        var app = new ApplicationBuilder(services);
        app.UseSmartspace();
        app.UseEndpoints(endpoints => endpoints.MapSmartspaceFunctions());
        pipeline = app.Build();
    }

    /// <returns>An empty result: the endpoint has written the response; the function's <c>$return</c> adds nothing.</returns>
    public async Task<IActionResult> DispatchAsync(HttpRequest request)
    {
        // The worker's own routing matched the function; match again against the feature endpoints.
        var context = request.HttpContext;
        context.SetEndpoint(null);
        context.Request.RouteValues.Clear();
        await pipeline(context);
        return new EmptyResult();
    }
}
