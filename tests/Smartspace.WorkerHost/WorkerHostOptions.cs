namespace Smartspace.WorkerHost;

/// <summary>How to start and drive a published isolated-worker app.</summary>
public sealed class WorkerHostOptions
{
    /// <summary>The publish folder: holds <c>worker.config.json</c>, <c>functions.metadata</c>, <c>host.json</c> and the app assembly.</summary>
    public required string AppDirectory { get; init; }

    /// <summary>App settings, passed to the worker as environment variables (as Azure does). A null value removes an inherited variable.</summary>
    public IReadOnlyDictionary<string, string?> AppSettings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Process start → every function loaded. Default 60 s (a cold worker on a busy 2-core machine takes 2–5 s).</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>One invocation: InvocationResponse and, for HTTP, the forwarded response. Default 30 s.</summary>
    public TimeSpan InvocationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Grace period sent in WorkerTerminate. Default 5 s.</summary>
    public TimeSpan TerminateGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait for the worker to exit after WorkerTerminate before killing it by its id. Default 15 s.</summary>
    public TimeSpan ExitTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The <c>host_version</c> sent in WorkerInitRequest.</summary>
    public string HostVersion { get; init; } = "4.1000.0.0";

    /// <summary>The dotnet muxer. Default: <c>DOTNET_HOST_PATH</c> when set, else <c>dotnet</c> (what <c>worker.config.json</c> names).</summary>
    public string? DotnetPath { get; init; }
}
