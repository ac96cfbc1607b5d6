using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Smartspace.Realtime.Hub;

/// <summary>A frame waiting to be written, or a request to close the socket after what is queued.</summary>
internal readonly record struct OutFrame(byte[] Bytes, WebSocketMessageType Type, WebSocketCloseStatus? Close = null, string? CloseReason = null);

/// <summary>
/// One physical WebSocket. A single writer task drains a queue, so publishers never wait on a slow
/// socket; the queue is bounded by count and bytes and refuses frames beyond that (the session then
/// drops the client).
/// </summary>
internal sealed class Transport
{
    private readonly Channel<OutFrame> _queue = Channel.CreateUnbounded<OutFrame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HttpContext _context;
    private readonly int _maxFrames;
    private readonly long _maxBytes;
    private long _queuedBytes;
    private int _queuedFrames;
    private int _aborted;
    private int _completed;

    public Transport(WebSocket socket, HttpContext context, int maxFrames, long maxBytes)
    {
        Socket = socket;
        _context = context;
        _maxFrames = maxFrames;
        _maxBytes = maxBytes;
    }

    public WebSocket Socket { get; }

    public bool IsAborted => Volatile.Read(ref _aborted) != 0;

    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>Queues a frame; false only when the queue is full (a socket already gone swallows frames).</summary>
    public bool TryEnqueue(byte[] frame, WebSocketMessageType type = WebSocketMessageType.Text)
    {
        if (IsAborted)
        {
            // the session decides what survives a lost socket (reliable: the un-acked buffer)
            return true;
        }

        var frames = Interlocked.Increment(ref _queuedFrames);
        var bytes = Interlocked.Add(ref _queuedBytes, frame.Length);
        if (frames > _maxFrames || bytes > _maxBytes)
        {
            Interlocked.Decrement(ref _queuedFrames);
            Interlocked.Add(ref _queuedBytes, -frame.Length);
            return false;
        }

        if (!_queue.Writer.TryWrite(new OutFrame(frame, type)))
        {
            // writer completed (closing): nothing more will be sent on this socket
            Interlocked.Decrement(ref _queuedFrames);
            Interlocked.Add(ref _queuedBytes, -frame.Length);
        }

        return true;
    }

    /// <summary>Sends what is queued, then a close frame.</summary>
    public void CloseAfterQueued(WebSocketCloseStatus status, string reason)
    {
        _queue.Writer.TryWrite(new OutFrame([], WebSocketMessageType.Close, status, reason));
        _queue.Writer.TryComplete();
    }

    /// <summary>Drops the TCP connection at once, without a close frame (the client sees 1006).</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        try
        {
            Socket.Abort();
        }
        catch (ObjectDisposedException)
        {
        }

        if (Volatile.Read(ref _completed) == 0)
        {
            _context.Abort();
        }
    }

    /// <summary>The request that owns the socket has finished; never touch its context again.</summary>
    public void MarkCompleted()
    {
        Volatile.Write(ref _completed, 1);
        _queue.Writer.TryComplete();
    }

    public async Task RunWriterAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var frame in _queue.Reader.ReadAllAsync(cancellationToken))
            {
                if (frame.Close is { } status)
                {
                    if (Socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                        await Socket.CloseOutputAsync(status, frame.CloseReason, timeout.Token);

                        // a client that never answers the close frame must not hold the socket open
                        _ = Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None).ContinueWith(_ => Abort(), TaskScheduler.Default);
                    }

                    return;
                }

                Interlocked.Decrement(ref _queuedFrames);
                Interlocked.Add(ref _queuedBytes, -frame.Bytes.Length);
                await Socket.SendAsync(frame.Bytes, frame.Type, endOfMessage: true, cancellationToken);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            Abort();
        }
    }
}
