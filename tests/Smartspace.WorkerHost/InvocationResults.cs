using System.Net;
using Smartspace.WorkerHost.Rpc;

namespace Smartspace.WorkerHost;

/// <summary>What the worker answered to one InvocationRequest, and the RpcLogs it sent for that invocation.</summary>
public sealed class InvocationResult
{
    internal InvocationResult(WorkerFunction function, string invocationId, InvocationResponse response, IReadOnlyList<WorkerLog> logs, TimeSpan elapsed)
    {
        Function = function;
        InvocationId = invocationId;
        Response = response;
        Logs = logs;
        Elapsed = elapsed;
    }

    public WorkerFunction Function { get; }

    public string InvocationId { get; }

    public InvocationResponse Response { get; }

    public StatusResult.Types.Status Status => Response.Result?.Status ?? StatusResult.Types.Status.Failure;

    public bool Succeeded => Status == StatusResult.Types.Status.Success;

    /// <summary>The exception message the worker reported (null on success).</summary>
    public string? ExceptionMessage => Response.Result?.Exception?.Message;

    /// <summary>RpcLogs carrying this invocation id, received by the time the response arrived.</summary>
    public IReadOnlyList<WorkerLog> Logs { get; }

    /// <summary>InvocationRequest sent → InvocationResponse received (for HTTP: → both the response and the HTTP answer).</summary>
    public TimeSpan Elapsed { get; }

    public override string ToString() =>
        $"{Function.Name} {InvocationId}: {Status}{(ExceptionMessage is null ? "" : " — " + ExceptionMessage)} in {Elapsed.TotalMilliseconds:0.0} ms";
}

/// <summary>An HTTP invocation: the response the worker gave on the forwarded HTTP request, plus the gRPC side.</summary>
public sealed class HttpInvocationResult
{
    internal HttpInvocationResult(InvocationResult invocation, HttpResponseMessage response, byte[] body)
    {
        Invocation = invocation;
        Response = response;
        BodyBytes = body;
    }

    public InvocationResult Invocation { get; }

    /// <summary>The worker's HTTP response (headers; its content is already read into <see cref="BodyBytes"/>).</summary>
    public HttpResponseMessage Response { get; }

    public HttpStatusCode StatusCode => Response.StatusCode;

    public string? ContentType => Response.Content.Headers.ContentType?.MediaType;

    public byte[] BodyBytes { get; }

    public string Body => System.Text.Encoding.UTF8.GetString(BodyBytes);

    public override string ToString() => $"{(int)StatusCode} {ContentType} ({Invocation})";
}

/// <summary>How the worker process ended.</summary>
/// <param name="ExitCode">The process exit code.</param>
/// <param name="Killed">True when it did not exit within the timeout after WorkerTerminate and was killed by its id.</param>
/// <param name="Elapsed">WorkerTerminate sent → process gone.</param>
public sealed record WorkerExit(int ExitCode, bool Killed, TimeSpan Elapsed);

/// <summary>Start-up milestones, each measured from the worker process start.</summary>
/// <param name="Connected">StartStream received.</param>
/// <param name="Initialized">WorkerInitResponse received.</param>
/// <param name="Indexed">FunctionMetadataResponse received.</param>
/// <param name="Loaded">Every FunctionLoadResponse received.</param>
/// <param name="Ready">Loaded, and the worker's HTTP listener (<c>HttpUri</c>) accepts connections: the worker can take invocations.</param>
public sealed record StartupTimings(TimeSpan Connected, TimeSpan Initialized, TimeSpan Indexed, TimeSpan Loaded, TimeSpan Ready);
