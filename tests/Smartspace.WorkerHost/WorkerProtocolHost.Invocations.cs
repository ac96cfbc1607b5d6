using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Smartspace.WorkerHost.Rpc;

namespace Smartspace.WorkerHost;

public sealed partial class WorkerProtocolHost
{
    /// <summary>
    /// Routes <paramref name="request"/> (a path such as <c>/api/health</c>, or an absolute URL whose path is
    /// used) to the HTTP function the host would pick by route and method, and invokes it. Throws when no
    /// function matches (the host itself would answer 404 without involving the worker).
    /// </summary>
    public Task<HttpInvocationResult> SendHttpAsync(HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (path, _) = PathAndQuery(request);
        var resolved = Routing.Resolve(request.Method, path)
            ?? throw new WorkerHostException($"No HTTP function serves {request.Method} /{path}. Routes: {string.Join("; ", Routing.Describe())}");
        return InvokeHttpCoreAsync(resolved.Function, resolved.RouteValues, request, cancellationToken);
    }

    /// <summary>
    /// Invokes HTTP function <paramref name="functionName"/> as the host does with ASP.NET Core integration:
    /// an InvocationRequest (input binding with RpcHttp, route values as trigger metadata, a trace context)
    /// and, at the same time, the real request forwarded to the worker's <c>HttpUri</c> with header
    /// <c>x-ms-invocation-id</c>. The path must match the function's route.
    /// </summary>
    public Task<HttpInvocationResult> InvokeHttpAsync(string functionName, HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var function = GetFunction(functionName);
        var (path, _) = PathAndQuery(request);
        var routeValues = Routing.Match(function, path)
            ?? throw new WorkerHostException($"/{path} does not match {function.Name}'s route /{HttpRouting.FullTemplate(App.RoutePrefix, function.Route ?? function.Name)}.");
        return InvokeHttpCoreAsync(function, routeValues, request, cancellationToken);
    }

    /// <summary>Invokes timer function <paramref name="functionName"/> with the TimerInfo JSON the host sends.</summary>
    public Task<InvocationResult> InvokeTimerAsync(string functionName, bool isPastDue = false, CancellationToken cancellationToken = default)
    {
        var function = GetFunction(functionName);
        if (!function.IsTimerTrigger)
        {
            throw new WorkerHostException($"{function.Name} is not timer-triggered ({function.Trigger?.Type ?? "no trigger"}).");
        }

        var input = new ParameterBinding { Name = function.Trigger!.Name, Data = new TypedData { Json = TimerInfoJson(DateTimeOffset.UtcNow, isPastDue) } };
        return InvokeAsync(function, [input], new Dictionary<string, TypedData>(), cancellationToken);
    }

    /// <summary>
    /// The input the Functions host's Durable extension sends for a <c>durableClient</c> binding: a JSON string describing
    /// the client (the extension's gRPC endpoint, task hub, connection, HTTP management base URL, gRPC limits), which the
    /// worker's <c>DurableTaskClientConverter</c> turns into a <c>DurableTaskClient</c>. The converter refuses an invocation
    /// without it. <c>grpcHttpClientTimeout</c> is itself a JSON-serialized TimeSpan, as the extension sends it.
    /// </summary>
    public static string DurableClientJson(Uri rpcBaseUrl, Uri httpBaseUrl, string taskHubName, string connectionName) => JsonSerializer.Serialize(new
    {
        taskHubName,
        connectionName,
        creationUrls = new Dictionary<string, string>(),
        managementUrls = new Dictionary<string, string>(),
        baseUrl = httpBaseUrl.AbsoluteUri,
        requiredQueryStringParameters = "",
        rpcBaseUrl = rpcBaseUrl.AbsoluteUri,
        httpBaseUrl = httpBaseUrl.AbsoluteUri,
        maxGrpcMessageSizeInBytes = 4 * 1024 * 1024,
        grpcHttpClientTimeout = JsonSerializer.Serialize(TimeSpan.FromSeconds(100)),
    });

    /// <summary>
    /// The inputs the host adds by itself: one per <c>durableClient</c> binding the caller did not give. The client it
    /// describes points at this host's own gRPC server, which does not serve the Durable task hub (that is the Durable
    /// extension's): the worker builds the client lazily, and a call through it fails at once (gRPC UNIMPLEMENTED; the call
    /// is recorded in <see cref="UnservedGrpcCalls"/>).
    /// </summary>
    private IEnumerable<ParameterBinding> HostInputs(WorkerFunction function, IEnumerable<ParameterBinding> given)
    {
        var names = given.Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var binding in function.DurableClients.Where(b => !names.Contains(b.Name)))
        {
            var hub = binding.GetString("taskHub") is { Length: > 0 } named ? named : App.DurableHubName ?? DefaultDurableHubName;
            var json = DurableClientJson(GrpcUri, new Uri(GrpcUri, "runtime/webhooks/durabletask"), hub, binding.GetString("connectionName") ?? "");
            yield return new ParameterBinding { Name = binding.Name, Data = new TypedData { String = json } };
        }
    }

    /// <summary>Sends one InvocationRequest with the given inputs and waits (bounded) for its InvocationResponse.</summary>
    public Task<InvocationResult> InvokeAsync(string functionName, IEnumerable<ParameterBinding> inputs, IReadOnlyDictionary<string, TypedData>? triggerMetadata = null, CancellationToken cancellationToken = default) =>
        InvokeAsync(GetFunction(functionName), inputs, triggerMetadata ?? new Dictionary<string, TypedData>(), cancellationToken);

    /// <summary>The TimerInfo JSON of a timer invocation (last run 5 min ago, next in 5 min).</summary>
    public static string TimerInfoJson(DateTimeOffset now, bool isPastDue) => JsonSerializer.Serialize(new
    {
        Schedule = new { AdjustForDST = true },
        ScheduleStatus = new { Last = now.AddMinutes(-5), Next = now.AddMinutes(5), LastUpdated = now.AddMinutes(-5) },
        IsPastDue = isPastDue,
    });

    private async Task<InvocationResult> InvokeAsync(WorkerFunction function, IEnumerable<ParameterBinding> inputs, IReadOnlyDictionary<string, TypedData> triggerMetadata, CancellationToken cancellationToken)
    {
        var invocationId = Guid.NewGuid().ToString();
        var clock = Stopwatch.StartNew();
        var response = await SendInvocationAsync(function, invocationId, inputs, triggerMetadata, _options.InvocationTimeout, cancellationToken).ConfigureAwait(false);
        return new InvocationResult(function, invocationId, response, LogsOf(invocationId), clock.Elapsed);
    }

    private async Task<HttpInvocationResult> InvokeHttpCoreAsync(WorkerFunction function, IReadOnlyDictionary<string, string> routeValues, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var workerUri = HttpUri ?? throw Failure("The worker did not report an HttpUri capability: it does not use ASP.NET Core integration (ConfigureFunctionsWebApplication).");
        var (path, query) = PathAndQuery(request);
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var invocationId = Guid.NewGuid().ToString();

        using var forwarded = new HttpRequestMessage(request.Method, new Uri(workerUri, "/" + path + query)) { Version = request.Version };
        foreach (var header in request.Headers)
        {
            forwarded.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        forwarded.Headers.TryAddWithoutValidation(InvocationIdHeader, invocationId);
        if (body is not null)
        {
            forwarded.Content = new ByteArrayContent(body);
            foreach (var header in request.Content!.Headers)
            {
                forwarded.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        var rpcHttp = new RpcHttp
        {
            Method = request.Method.Method,
            Url = request.RequestUri is { IsAbsoluteUri: true } absolute ? absolute.AbsoluteUri : new Uri(new Uri("http://localhost"), "/" + path + query).AbsoluteUri,
        };
        foreach (var (name, value) in AllHeaders(request))
        {
            rpcHttp.Headers[name] = value;
            rpcHttp.NullableHeaders[name] = new NullableString { Value = value };
        }

        foreach (var (name, value) in HttpRouting.ParseQuery(query))
        {
            rpcHttp.Query[name] = value;
            rpcHttp.NullableQuery[name] = new NullableString { Value = value };
        }

        var triggerMetadata = new Dictionary<string, TypedData>(StringComparer.Ordinal);
        foreach (var (name, value) in routeValues)
        {
            rpcHttp.Params[name] = value;
            rpcHttp.NullableParams[name] = new NullableString { Value = value };
            triggerMetadata[name] = new TypedData { String = value };
        }

        if (!WorkerCapabilities.ContainsKey("RpcHttpTriggerMetadataRemoved"))
        {
            triggerMetadata["Query"] = new TypedData { Json = JsonSerializer.Serialize(rpcHttp.Query) };
            triggerMetadata["Headers"] = new TypedData { Json = JsonSerializer.Serialize(rpcHttp.Headers) };
        }

        var input = new ParameterBinding { Name = function.Trigger!.Name, Data = new TypedData { Http = rpcHttp } };

        var clock = Stopwatch.StartNew();
        using var httpTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        httpTimeout.CancelAfter(_options.InvocationTimeout);
        var invocation = SendInvocationAsync(function, invocationId, [input], triggerMetadata, _options.InvocationTimeout, cancellationToken);
        var http = ForwardAsync(forwarded, httpTimeout.Token);
        try
        {
            await Task.WhenAll(invocation, http).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Failure($"Timed out after {_options.InvocationTimeout.TotalSeconds:0.#} s waiting for the HTTP answer of {function.Name} ({request.Method} /{path}); invocation: {Describe(invocation)}.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw Failure($"The forwarded HTTP request for {function.Name} ({request.Method} /{path}) to {workerUri} failed; invocation: {Describe(invocation)}.", ex);
        }
        finally
        {
            // When the gRPC side failed first, the forwarded request must not outlive this call.
            await httpTimeout.CancelAsync().ConfigureAwait(false);
        }

        var elapsed = clock.Elapsed;
        var (response, responseBody) = await http.ConfigureAwait(false);
        var result = new InvocationResult(function, invocationId, await invocation.ConfigureAwait(false), LogsOf(invocationId), elapsed);
        return new HttpInvocationResult(result, response, responseBody);
    }

    private async Task<(HttpResponseMessage Response, byte[] Body)> ForwardAsync(HttpRequestMessage forwarded, CancellationToken cancellationToken)
    {
        var response = await _http.SendAsync(forwarded, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return (response, body);
    }

    private async Task<InvocationResponse> SendInvocationAsync(WorkerFunction function, string invocationId, IEnumerable<ParameterBinding> inputs, IReadOnlyDictionary<string, TypedData> triggerMetadata, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var request = new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = function.FunctionId,
            // Mandatory: without a trace context the worker throws and an HTTP request waits for a context that never comes.
            TraceContext = new RpcTraceContext { TraceParent = NewTraceParent(), TraceState = "" },
        };
        var given = inputs.ToArray();
        request.InputData.AddRange(given);
        request.InputData.AddRange(HostInputs(function, given));
        foreach (var (key, value) in triggerMetadata)
        {
            request.TriggerMetadata[key] = value;
        }

        var answer = await AskAsync(new StreamingMessage { RequestId = invocationId, InvocationRequest = request }, timeout, $"waiting for the InvocationResponse of {function.Name} ({invocationId})", cancellationToken).ConfigureAwait(false);
        return answer.InvocationResponse ?? throw Failure($"Expected InvocationResponse for {invocationId}, got {answer.ContentCase}.");
    }

    private IReadOnlyList<WorkerLog> LogsOf(string invocationId) =>
        _connection.Logs.Where(l => l.InvocationId == invocationId).ToArray();

    private static string Describe(Task<InvocationResponse> invocation) => invocation.Status switch
    {
        TaskStatus.RanToCompletion => $"{invocation.Result.Result?.Status} {invocation.Result.Result?.Exception?.Message}",
        TaskStatus.Faulted => "failed: " + invocation.Exception?.GetBaseException().Message,
        _ => "no InvocationResponse yet",
    };

    private static (string Path, string Query) PathAndQuery(HttpRequestMessage request)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        var absolute = uri.IsAbsoluteUri ? uri : new Uri(new Uri("http://localhost"), uri);
        return (absolute.AbsolutePath.TrimStart('/'), absolute.Query);
    }

    private static IEnumerable<(string Name, string Value)> AllHeaders(HttpRequestMessage request)
    {
        IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers = request.Headers;
        if (request.Content is not null)
        {
            headers = headers.Concat(request.Content.Headers);
        }

        return headers.Select(h => (h.Key, string.Join(",", h.Value)));
    }

    private static string NewTraceParent() =>
        $"00-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}-01";
}
