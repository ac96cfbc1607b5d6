using System.Text.Json;
using System.Text.Json.Nodes;

namespace Smartspace.WorkerHost;

/// <summary>
/// What the Functions host reads from a publish folder before it starts the worker:
/// <c>worker.config.json</c> (how to start it), <c>functions.metadata</c> (what it declares) and
/// <c>host.json</c> (the HTTP route prefix, the Durable task hub).
/// </summary>
public sealed class PublishedApp
{
    private static readonly JsonDocumentOptions Lenient = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    private PublishedApp(string directory, string executable, IReadOnlyList<string> executableArguments, string workerPath, IReadOnlyList<string> workerArguments, IReadOnlyList<string> declaredFunctions, string routePrefix, string? durableHubName)
    {
        Directory = directory;
        Executable = executable;
        ExecutableArguments = executableArguments;
        WorkerPath = workerPath;
        WorkerArguments = workerArguments;
        DeclaredFunctions = declaredFunctions;
        RoutePrefix = routePrefix;
        DurableHubName = durableHubName;
    }

    public string Directory { get; }

    /// <summary><c>description.defaultExecutablePath</c> (<c>dotnet</c> for a framework-dependent app).</summary>
    public string Executable { get; }

    public IReadOnlyList<string> ExecutableArguments { get; }

    /// <summary>Full path of <c>description.defaultWorkerPath</c> (the app assembly).</summary>
    public string WorkerPath { get; }

    public IReadOnlyList<string> WorkerArguments { get; }

    /// <summary>The function names in <c>functions.metadata</c>, in file order.</summary>
    public IReadOnlyList<string> DeclaredFunctions { get; }

    /// <summary><c>extensions.http.routePrefix</c> from host.json; <c>api</c> when absent.</summary>
    public string RoutePrefix { get; }

    /// <summary><c>extensions.durableTask.hubName</c> from host.json; null when absent.</summary>
    public string? DurableHubName { get; }

    public static PublishedApp Read(string directory)
    {
        directory = Path.GetFullPath(directory);
        var workerConfigPath = Path.Combine(directory, "worker.config.json");
        if (!File.Exists(workerConfigPath))
        {
            throw new WorkerHostException($"{workerConfigPath} is missing: is '{directory}' the output of `dotnet publish` of an isolated-worker app?");
        }

        var description = (JsonNode.Parse(File.ReadAllText(workerConfigPath), documentOptions: Lenient)?["description"] as JsonObject)
            ?? throw new WorkerHostException($"{workerConfigPath} has no 'description'.");
        var language = description["language"]?.GetValue<string>();
        if (!string.Equals(language, "dotnet-isolated", StringComparison.Ordinal))
        {
            throw new WorkerHostException($"{workerConfigPath} declares language '{language}', not 'dotnet-isolated'.");
        }

        var executable = description["defaultExecutablePath"]?.GetValue<string>() ?? throw new WorkerHostException($"{workerConfigPath} has no defaultExecutablePath.");
        var workerPath = description["defaultWorkerPath"]?.GetValue<string>() ?? throw new WorkerHostException($"{workerConfigPath} has no defaultWorkerPath.");
        workerPath = Path.GetFullPath(Path.Combine(directory, workerPath));
        if (!File.Exists(workerPath))
        {
            throw new WorkerHostException($"The worker assembly {workerPath} named by worker.config.json is missing.");
        }

        var metadataPath = Path.Combine(directory, "functions.metadata");
        var declared = File.Exists(metadataPath)
            ? (JsonNode.Parse(File.ReadAllText(metadataPath), documentOptions: Lenient) as JsonArray ?? [])
                .Select(f => f?["name"]?.GetValue<string>()).OfType<string>().ToArray()
            : [];

        var routePrefix = "api";
        string? hubName = null;
        var hostJsonPath = Path.Combine(directory, "host.json");
        var extensions = File.Exists(hostJsonPath) ? JsonNode.Parse(File.ReadAllText(hostJsonPath), documentOptions: Lenient)?["extensions"] : null;
        if (extensions?["http"]?["routePrefix"] is JsonValue prefix)
        {
            routePrefix = prefix.GetValue<string>();
        }

        if (extensions?["durableTask"]?["hubName"] is JsonValue hub)
        {
            hubName = hub.GetValue<string>();
        }

        return new PublishedApp(directory, executable, Strings(description["arguments"]), workerPath, Strings(description["workerArguments"]), declared, routePrefix.Trim('/'), hubName);
    }

    private static string[] Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(n => n?.GetValue<string>()).OfType<string>().ToArray() : [];
}
