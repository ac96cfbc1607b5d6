using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using GrpcRpcException = Grpc.Core.RpcException;
using Smartspace.WorkerHost.Rpc;

namespace Smartspace.WorkerHost;

/// <summary>
/// The host's side of the one EventStream a worker opens: a single writer loop (gRPC stream writes
/// must not overlap), responses matched to requests by <c>request_id</c> (the worker echoes it), and
/// every RpcLog kept in arrival order. When the stream ends every pending request fails at once.
/// </summary>
internal sealed class WorkerConnection
{
    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new();
    private readonly TaskCompletionSource<StartStream> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<WorkerLog> _logs = [];
    private readonly List<StreamingMessage> _unmatched = [];
    private int _streams;

    /// <summary>Completes when the worker sent StartStream.</summary>
    public Task<StartStream> Started => _started.Task;

    /// <summary>Completes when the worker's stream ended (worker gone, or the host stopped).</summary>
    public Task Ended => _ended.Task;

    public IReadOnlyList<WorkerLog> Logs
    {
        get
        {
            lock (_logs)
            {
                return _logs.ToArray();
            }
        }
    }

    /// <summary>
    /// gRPC calls the worker made to a service this host does not serve (<c>service/method</c>), in arrival order — the
    /// Durable client's calls to the task hub, which only the Durable extension serves. Each was answered UNIMPLEMENTED.
    /// </summary>
    public ConcurrentQueue<string> UnservedCalls { get; } = new();

    /// <summary>Messages from the worker that answered nothing the host asked (for diagnostics).</summary>
    public IReadOnlyList<StreamingMessage> Unmatched
    {
        get
        {
            lock (_unmatched)
            {
                return _unmatched.ToArray();
            }
        }
    }

    public async Task RunStreamAsync(IAsyncStreamReader<StreamingMessage> fromWorker, IServerStreamWriter<StreamingMessage> toWorker, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _streams) != 1)
        {
            throw new GrpcRpcException(new Status(StatusCode.AlreadyExists, "This test host serves one worker stream."));
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = WriteLoopAsync(toWorker, stop.Token);
        Exception? failure = null;
        try
        {
            while (await fromWorker.MoveNext(stop.Token).ConfigureAwait(false))
            {
                Dispatch(fromWorker.Current);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or GrpcRpcException or InvalidOperationException)
        {
            failure = ex; // the worker went away or the host is stopping
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
            {
                // the stream is gone; nothing more to write
            }

            _started.TrySetException(new WorkerHostException("The worker's stream ended before StartStream.", failure));
            foreach (var key in _pending.Keys)
            {
                if (_pending.TryRemove(key, out var pending))
                {
                    pending.TrySetException(new WorkerHostException($"The worker's stream ended before it answered request '{key}'.", failure));
                }
            }

            _ended.TrySetResult();
        }
    }

    /// <summary>Sends <paramref name="message"/> and completes with the worker's message carrying the same request id.</summary>
    public Task<StreamingMessage> RequestAsync(StreamingMessage message)
    {
        if (string.IsNullOrEmpty(message.RequestId))
        {
            throw new ArgumentException("A request needs a request id.", nameof(message));
        }

        var answer = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(message.RequestId, answer))
        {
            throw new InvalidOperationException($"Request id '{message.RequestId}' is already waiting for an answer.");
        }

        if (_ended.Task.IsCompleted || !_outbound.Writer.TryWrite(message))
        {
            _pending.TryRemove(message.RequestId, out _);
            answer.TrySetException(new WorkerHostException("The worker's stream has ended."));
        }

        return answer.Task;
    }

    /// <summary>Forgets a request that timed out, so a late answer lands in <see cref="Unmatched"/>.</summary>
    public void Abandon(string requestId) => _pending.TryRemove(requestId, out _);

    /// <summary>Sends a message that has no answer (WorkerTerminate).</summary>
    public bool Post(StreamingMessage message) => !_ended.Task.IsCompleted && _outbound.Writer.TryWrite(message);

    /// <summary>No more messages to the worker; the stream closes once the worker closes its side.</summary>
    public void Complete() => _outbound.Writer.TryComplete();

    private async Task WriteLoopAsync(IServerStreamWriter<StreamingMessage> toWorker, CancellationToken cancellationToken)
    {
        await foreach (var message in _outbound.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await toWorker.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.StartStream:
                _started.TrySetResult(message.StartStream);
                return;
            case StreamingMessage.ContentOneofCase.RpcLog:
                lock (_logs)
                {
                    _logs.Add(new WorkerLog(DateTimeOffset.UtcNow, message.RpcLog));
                }

                return;
        }

        if (!string.IsNullOrEmpty(message.RequestId) && _pending.TryRemove(message.RequestId, out var pending))
        {
            pending.TrySetResult(message);
            return;
        }

        lock (_unmatched)
        {
            _unmatched.Add(message);
        }
    }
}

/// <summary>The host side of <c>AzureFunctionsRpcMessages.FunctionRpc</c>: hands the stream to the connection.</summary>
internal sealed class FunctionRpcService(WorkerConnection connection) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
        connection.RunStreamAsync(requestStream, responseStream, context.CancellationToken);
}
