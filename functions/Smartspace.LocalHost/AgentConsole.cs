using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Smartspace.Functions.Hosting;

namespace Smartspace.LocalHost;

/// <summary>
/// The agent console (the built <c>web/dist</c> folder) served at <c>/</c> by the local host only; in Azure it is a
/// static website of its own (infra/). The folder is <c>Console:Path</c>, else the first <c>web/dist</c> found
/// walking up from the app's folder (the repository's). Files are served as they are; any other GET that is not
/// under <c>/api/</c> or <c>/sandbox</c> answers the console's <c>index.html</c> (its client-side routes).
/// Without local mode, or before the console is built, <c>/</c> answers a plain readiness text as before.
/// </summary>
public static class AgentConsole
{
    public const string PathSetting = "Console:Path";

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
        var types = new FileExtensionContentTypeProvider();
        app.MapGet("/{**path}", (string? path) =>
        {
            path ??= string.Empty;
            if (path.StartsWith("api/", StringComparison.Ordinal) || path == "api" || path.StartsWith("sandbox", StringComparison.Ordinal))
            {
                return Results.NotFound(); // unknown API routes stay plain 404s, never the console's page
            }

            var file = path.Length == 0 ? null : files.GetFileInfo(path);
            if (file is { Exists: true, IsDirectory: false, PhysicalPath: { } physical })
            {
                var type = types.TryGetContentType(physical, out var known) ? known : "application/octet-stream";
                return Results.File(physical, type, enableRangeProcessing: true);
            }

            var index = files.GetFileInfo("index.html");
            return index.PhysicalPath is { } indexPath && index.Exists
                ? Results.File(indexPath, "text/html; charset=utf-8")
                : Results.NotFound();
        }).AllowAnonymous().ExcludeFromDescription().LocalOnly(); // in Azure the console is a static site, not a function
        return app;
    }

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
