using System.Diagnostics;
using System.Globalization;
using System.Net;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Smartspace.WorkerHost.Rpc;

namespace Smartspace.WorkerHost;

/// <summary>
/// Plays the Azure Functions host for a published isolated-worker app, over the real protocol:
/// serves <c>FunctionRpc.EventStream</c> (gRPC, HTTP/2 cleartext on a free loopback port), starts the
/// worker as the host does, runs init → metadata → load, then drives HTTP invocations (InvocationRequest
/// plus the real HTTP request forwarded to the worker's <c>HttpUri</c>) and timer invocations.
/// Every wait is bounded and also ends when the worker exits; failures carry the worker's output.
/// </summary>
public sealed partial class WorkerProtocolHost : IAsyncDisposable
{
    public const string InvocationIdHeader = "x-ms-invocation-id";

    /// <summary>The task hub a <c>durableClient</c> input names when neither the binding nor host.json does (the Durable extension's local default).</summary>
    public const string DefaultDurableHubName = "TestHubName";

    private readonly WorkerHostOptions _options;
    private readonly WorkerConnection _connection;
    private readonly WebApplication _server;
    private readonly HttpClient _http;
    private WorkerProcess? _process;
    private WorkerExit? _exit;
    private int _disposed;

    private WorkerProtocolHost(WorkerHostOptions options, PublishedApp app, WorkerConnection connection, WebApplication server, Uri grpcUri)
    {
        _options = options;
        App = app;
        _connection = connection;
        _server = server;
        GrpcUri = grpcUri;
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false })
        {
            Timeout = Timeout.InfiniteTimeSpan, // bounded per call
        };
    }

    public PublishedApp App { get; }

    /// <summary>Where this host serves gRPC (<c>--functions-uri</c>).</summary>
    public Uri GrpcUri { get; }

    public string WorkerId { get; } = Guid.NewGuid().ToString();

    public string RequestId { get; } = Guid.NewGuid().ToString();

    /// <summary>The worker's process id.</summary>
    public int ProcessId => _process?.Id ?? 0;

    /// <summary>The command line the worker was started with (executable first).</summary>
    public IReadOnlyList<string> CommandLine { get; private set; } = [];

    /// <summary>WorkerInitResponse capabilities (<c>HttpUri</c>, <c>RpcHttpBodyOnly</c>, …).</summary>
    public IReadOnlyDictionary<string, string> WorkerCapabilities { get; private set; } = new Dictionary<string, string>();

    public WorkerMetadata? WorkerMetadata { get; private set; }

    /// <summary>The worker's own HTTP listener (capability <c>HttpUri</c>); null for a worker without ASP.NET Core integration.</summary>
    public Uri? HttpUri { get; private set; }

    /// <summary>Every function the worker indexed, in its order; each one loaded successfully.</summary>
    public IReadOnlyList<WorkerFunction> Functions { get; private set; } = [];

    public HttpRouting Routing { get; private set; } = new([], "api");

    public StartupTimings Timings { get; private set; } = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>Process start → every function loaded.</summary>
    public TimeSpan ReadyTime => Timings.Ready;

    /// <summary>Every RpcLog the worker sent so far.</summary>
    public IReadOnlyList<WorkerLog> Logs => _connection.Logs;

    /// <summary>
    /// gRPC calls the worker made to services this host does not serve (<c>service/method</c>, e.g. the Durable client's
    /// <c>microsoft.durabletask.implementation.protobuf.TaskHubSidecarService/GetEntity</c>), each answered UNIMPLEMENTED.
    /// </summary>
    public IReadOnlyList<string> UnservedGrpcCalls => _connection.UnservedCalls.ToArray();

    /// <summary>The worker's stdout and stderr so far.</summary>
    public string Output => _process?.Output ?? "";

    /// <summary>Set once the worker process has ended (after <see cref="TerminateAsync"/>).</summary>
    public WorkerExit? Exit => _exit;

    /// <summary>Starts the gRPC server and the worker, and returns once every function is loaded.</summary>
    public static async Task<WorkerProtocolHost> StartAsync(WorkerHostOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var app = PublishedApp.Read(options.AppDirectory);
        var connection = new WorkerConnection();
        var (server, grpcUri) = await StartServerAsync(connection, cancellationToken).ConfigureAwait(false);
        var host = new WorkerProtocolHost(options, app, connection, server, grpcUri);
        try
        {
            await host.StartWorkerAsync(cancellationToken).ConfigureAwait(false);
            return host;
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public WorkerFunction GetFunction(string name) =>
        Functions.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new WorkerHostException($"The worker has no function '{name}'. It has: {string.Join(", ", Functions.Select(f => f.Name))}.");

    /// <summary>Sends WorkerTerminate, waits for the exit, kills the process by its id only when it does not exit in time.</summary>
    public async Task<WorkerExit> TerminateAsync()
    {
        if (_exit is not null)
        {
            return _exit;
        }

        var process = _process ?? throw new InvalidOperationException("The worker was never started.");
        var clock = Stopwatch.StartNew();
        var killed = false;
        if (!process.HasExited)
        {
            // A worker that never opened its stream cannot be asked to stop: it is killed at once.
            var asked = _connection.Started.IsCompletedSuccessfully && _connection.Post(new StreamingMessage
            {
                RequestId = Guid.NewGuid().ToString(),
                WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(_options.TerminateGracePeriod) },
            });
            if (!asked || !await process.WaitForExitAsync(_options.ExitTimeout).ConfigureAwait(false))
            {
                killed = true;
                await process.KillAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
        }

        var code = process.HasExited ? await process.Exited.ConfigureAwait(false) : int.MinValue;
        _exit = new WorkerExit(code, killed, clock.Elapsed);
        return _exit;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (_process is not null && _exit is null)
            {
                await TerminateAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            if (_process is not null && !_process.HasExited)
            {
                await _process.KillAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }

            _connection.Complete();
            using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
            {
                try
                {
                    await _server.StopAsync(stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // stopping is bounded; the listener is released on dispose below
                }
            }

            await _server.DisposeAsync().ConfigureAwait(false);
            _http.Dispose();
            _process?.Dispose();
        }
    }

    private static async Task<(WebApplication Server, Uri GrpcUri)> StartServerAsync(WorkerConnection connection, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(WorkerProtocolHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Production",
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton(connection);
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
            grpc.EnableDetailedErrors = true;
            grpc.IgnoreUnknownServices = true; // answered below, and recorded
        });
        var server = builder.Build();
        server.MapGrpcService<FunctionRpcService>();
        // Any other gRPC call (the Durable client's, whose durableClient input points here) is recorded and answered
        // UNIMPLEMENTED, trailers-only, as a gRPC server answers a service it does not have.
        server.MapPost("/{service}/{method}", (HttpContext http, string service, string method) =>
        {
            connection.UnservedCalls.Enqueue(service + "/" + method);
            http.Response.ContentType = "application/grpc";
            http.Response.Headers["grpc-status"] = ((int)Grpc.Core.StatusCode.Unimplemented).ToString(CultureInfo.InvariantCulture);
            http.Response.Headers["grpc-message"] = Uri.EscapeDataString($"This test host does not serve {service}: it is not the Functions host's Durable extension.");
            return Task.CompletedTask;
        });
        await server.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new WorkerHostException("The gRPC server started without an address.");
        var port = new Uri(address).Port;
        return (server, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"));
    }

    private async Task StartWorkerAsync(CancellationToken cancellationToken)
    {
        var port = GrpcUri.Port.ToString(CultureInfo.InvariantCulture);
        var maxMessageLength = int.MaxValue.ToString(CultureInfo.InvariantCulture);
        var executable = App.Executable == "dotnet"
            ? _options.DotnetPath ?? NonEmpty(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")) ?? "dotnet"
            : Path.IsPathRooted(App.Executable) ? App.Executable : Path.Combine(App.Directory, App.Executable);
        List<string> arguments =
        [
            .. App.ExecutableArguments,
            App.WorkerPath,
            .. App.WorkerArguments,
            // The host passes both forms; Worker 2.x reads the --functions-* switches.
            "--host", "127.0.0.1",
            "--port", port,
            "--workerId", WorkerId,
            "--requestId", RequestId,
            "--grpcMaxMessageLength", maxMessageLength,
            "--functions-uri", GrpcUri.AbsoluteUri,
            "--functions-worker-id", WorkerId,
            "--functions-request-id", RequestId,
            "--functions-grpc-max-message-length", maxMessageLength,
        ];
        CommandLine = [executable, .. arguments];

        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["FUNCTIONS_APPLICATION_DIRECTORY"] = App.Directory,
            ["FUNCTIONS_WORKER_DIRECTORY"] = App.Directory,
            ["AzureWebJobsScriptRoot"] = App.Directory,
        };
        foreach (var (key, value) in _options.AppSettings)
        {
            environment[key] = value;
        }

        var clock = Stopwatch.StartNew();
        _process = WorkerProcess.Start(executable, arguments, App.Directory, environment);

        var started = await WaitAsync(_connection.Started, _options.StartTimeout, "waiting for the worker to connect (StartStream)", cancellationToken).ConfigureAwait(false);
        var connected = clock.Elapsed;
        if (started.WorkerId != WorkerId)
        {
            throw Failure($"The worker connected as '{started.WorkerId}', not as '{WorkerId}'.");
        }

        var remaining = () => Remaining(clock);

        var init = await AskAsync(new StreamingMessage
        {
            WorkerInitRequest = new WorkerInitRequest
            {
                HostVersion = _options.HostVersion,
                WorkerDirectory = App.Directory,
                FunctionAppDirectory = App.Directory,
            },
        }, remaining(), "waiting for WorkerInitResponse", cancellationToken).ConfigureAwait(false);
        var initResponse = init.WorkerInitResponse ?? throw Failure($"Expected WorkerInitResponse, got {init.ContentCase}.");
        EnsureSuccess(initResponse.Result, "WorkerInitRequest");
        WorkerCapabilities = new Dictionary<string, string>(initResponse.Capabilities);
        WorkerMetadata = initResponse.WorkerMetadata;
        HttpUri = WorkerCapabilities.TryGetValue("HttpUri", out var httpUri) ? new Uri(httpUri) : null;
        var initialized = clock.Elapsed;

        var metadata = await AskAsync(new StreamingMessage
        {
            FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = App.Directory },
        }, remaining(), "waiting for FunctionMetadataResponse", cancellationToken).ConfigureAwait(false);
        var metadataResponse = metadata.FunctionMetadataResponse ?? throw Failure($"Expected FunctionMetadataResponse, got {metadata.ContentCase}.");
        EnsureSuccess(metadataResponse.Result, "FunctionsMetadataRequest");
        if (metadataResponse.UseDefaultMetadataIndexing)
        {
            throw Failure("The worker asked for host indexing (use_default_metadata_indexing); this host only supports worker indexing.");
        }

        var functions = metadataResponse.FunctionMetadataResults.Select(m => new WorkerFunction(m)).ToArray();
        var indexed = clock.Elapsed;

        var loads = functions.Select(f => AskAsync(new StreamingMessage
        {
            FunctionLoadRequest = new FunctionLoadRequest { FunctionId = f.FunctionId, Metadata = f.Metadata },
        }, remaining(), $"waiting for FunctionLoadResponse of {f.Name}", cancellationToken)).ToArray();
        var loaded = await Task.WhenAll(loads).ConfigureAwait(false);
        var failures = loaded
            .Select((answer, i) => (functions[i].Name, Result: answer.FunctionLoadResponse?.Result))
            .Where(l => l.Result?.Status != StatusResult.Types.Status.Success)
            .Select(l => $"{l.Name}: {l.Result?.Exception?.Message ?? "no FunctionLoadResponse"}")
            .ToArray();
        if (failures.Length > 0)
        {
            throw Failure($"Functions failed to load: {string.Join("; ", failures)}");
        }

        var loadedAt = clock.Elapsed;
        if (HttpUri is not null)
        {
            // The worker answers FunctionLoadRequests before its Kestrel listener is up.
            using var stopProbing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                await WaitAsync(WaitForListenerAsync(HttpUri, stopProbing.Token), remaining(), $"waiting for the worker's HTTP listener {HttpUri}", cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await stopProbing.CancelAsync().ConfigureAwait(false);
            }
        }

        Functions = functions;
        Routing = new HttpRouting(functions, App.RoutePrefix);
        Timings = new StartupTimings(connected, initialized, indexed, loadedAt, clock.Elapsed);
    }

    private static async Task<bool> WaitForListenerAsync(Uri uri, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(uri.Host, uri.Port, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private TimeSpan Remaining(Stopwatch clock)
    {
        var left = _options.StartTimeout - clock.Elapsed;
        return left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1);
    }

    private async Task<StreamingMessage> AskAsync(StreamingMessage request, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.RequestId))
        {
            request.RequestId = Guid.NewGuid().ToString();
        }

        try
        {
            return await WaitAsync(_connection.RequestAsync(request), timeout, what, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _connection.Abandon(request.RequestId);
            throw;
        }
    }

    /// <summary>Awaits <paramref name="task"/>, failing with the worker's output when the worker exits first or the time is up.</summary>
    private async Task<T> WaitAsync<T>(Task<T> task, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        var exited = _process?.Exited ?? Task.FromResult(0);
        using var cancelDelay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, cancelDelay.Token);
        var first = await Task.WhenAny(task, exited, delay).ConfigureAwait(false);
        await cancelDelay.CancelAsync().ConfigureAwait(false);
        if (first == task)
        {
            try
            {
                return await task.ConfigureAwait(false);
            }
            catch (WorkerHostException ex)
            {
                throw Failure($"{ex.Message} ({what})", ex);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (first == exited)
        {
            var code = await exited.ConfigureAwait(false);
            throw Failure($"The worker exited with code {WorkerProcess.Describe(code)} while {what}.");
        }

        throw Failure($"Timed out after {timeout.TotalSeconds:0.#} s {what}.");
    }

    private WorkerHostException Failure(string message, Exception? inner = null)
    {
        var unmatched = _connection.Unmatched;
        var errors = _connection.Logs.Where(l => l.Level >= RpcLog.Types.Level.Warning).TakeLast(20).ToArray();
        var text = $"{message}{Environment.NewLine}Command (pid {ProcessId.ToString(CultureInfo.InvariantCulture)}): {string.Join(' ', CommandLine)}"
            + (errors.Length == 0 ? "" : $"{Environment.NewLine}Worker warnings/errors (RpcLog):{Environment.NewLine}{string.Join(Environment.NewLine, errors.Select(e => e.ToString()))}")
            + (unmatched.Count == 0 ? "" : $"{Environment.NewLine}Unanswered messages from the worker: {string.Join(", ", unmatched.Select(m => m.ContentCase))}")
            + $"{Environment.NewLine}Worker output:{Environment.NewLine}{_process?.OutputTail() ?? "(not started)"}";
        return new WorkerHostException(text, inner);
    }

    private void EnsureSuccess(StatusResult? result, string what)
    {
        if (result?.Status != StatusResult.Types.Status.Success)
        {
            throw Failure($"{what} failed: {result?.Status.ToString() ?? "no status"} {result?.Exception?.Message} {result?.Exception?.StackTrace}");
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
