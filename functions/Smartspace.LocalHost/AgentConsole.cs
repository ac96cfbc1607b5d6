using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Smartspace.Functions.Hosting;

namespace Smartspace.LocalHost;

/// <summary>
/// The agent console (the built <c>web/dist</c> folder) served at <c>/</c> by the local host only; in Azure it is a
/// static website of its own (infra/). The folder is <c>Console:Path</c>, else the first <c>web/dist</c> found
/// walking up from the app's folder (the repository's). Files are served as they are; any other GET or HEAD that is
/// not under <c>/api</c> or <c>/sandbox</c> and that no endpoint serves answers the console's <c>index.html</c> (its
/// client-side routes). Without local mode, or before the console is built, <c>/</c> answers a plain readiness text.
/// </summary>
/// <remarks>
/// The console is a middleware branch, not an endpoint: a catch-all <c>GET /{**path}</c> endpoint would make routing
/// answer 405 to a POST to an unknown <c>/api</c> route instead of the 404 problem+json every unknown route gets.
/// </remarks>
public static class AgentConsole
{
    public const string PathSetting = "Console:Path";

    /// <summary>Call after <c>UseRouting</c> (in <c>UseSmartspace</c>), so that a request an endpoint serves never reaches the console.</summary>
    public static WebApplication MapAgentConsole(this WebApplication app)
    {
        var local = app.Services.GetRequiredService<IOptions<LocalOptions>>().Value;
        var dist = local.Enabled ? FindDist(app.Configuration[PathSetting], AppContext.BaseDirectory) : null;
        if (dist is null)
        {
            app.MapGet("/", () => Results.Text("Smartspace local host ready")).AllowAnonymous().ExcludeFromDescription();
            return app;
        }

        var files = new PhysicalFileProvider(dist);
        app.UseWhen(IsForTheConsole, console =>
        {
            console.UseStaticFiles(new StaticFileOptions { FileProvider = files, ContentTypeProvider = new FileExtensionContentTypeProvider() });
            console.Run(async http =>
            {
                // Client-side routes (and a missing asset) get the console's page; the console shows its own "not found".
                var index = files.GetFileInfo("index.html");
                if (!index.Exists)
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }

                http.Response.ContentType = "text/html; charset=utf-8";
                http.Response.ContentLength = index.Length;
                if (HttpMethods.IsGet(http.Request.Method))
                {
                    await http.Response.SendFileAsync(index, http.RequestAborted);
                }
            });
        });
        return app;
    }

    /// <summary>A GET or HEAD that no endpoint matched, outside the API and the sandbox.</summary>
    public static bool IsForTheConsole(HttpContext http) =>
        (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
        && http.GetEndpoint() is null
        && !http.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        && !http.Request.Path.StartsWithSegments("/sandbox", StringComparison.OrdinalIgnoreCase);

    /// <summary>The configured folder (relative to the current directory), else <c>web/dist</c> in the nearest ancestor of <paramref name="start"/> that has one.</summary>
    public static string? FindDist(string? configured, string start)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var full = Path.GetFullPath(configured);
            return File.Exists(Path.Combine(full, "index.html")) ? full : null;
        }

        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "web", "dist");
            if (File.Exists(Path.Combine(candidate, "index.html")))
            {
                return candidate;
            }
        }

        return null;
    }
}
