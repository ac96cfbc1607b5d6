using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

// RealtimeBench: starts the real handler (Release build, local mode, tables and media on an Azurite it starts, embedded Web
// PubSub hub) on a free 127.0.0.1 port, opens N WebSocket clients with the reliable JSON subprotocol
// (supervisor "carla": every client is in supervisors.demo, so every client receives every event),
// then, in the same run and at the same steady rate:
//   1. baseline — the hub's own data-plane REST API, POST /api/hubs/agents/groups/supervisors.demo/:send,
//      with an event-sized JSON body (Bearer HS256 JWT, aud = request URL);
//   2. webhook  — signed Meta text webhooks from distinct customers; each one stages the message (one Tables batch),
//      signals the customer's entity and answers 200; the entity then places it (a new waiting conversation) and
//      publishes conversation.queued to supervisors.demo — one queue hop after the 200.
// Latency = from the start of the POST to the frame's arrival on each socket (matched by a unique
// marker in the message text). Memory = handler VmRSS before connecting, after connecting, after the
// load. The measurement starts after --settle-seconds (the handler's start-up: JIT, the Durable runtime's partitions) and,
// once the sockets are connected, when the handler and Azurite are quiet again (each connection signals the agent's
// entity), bounded by --quiet-bound.
// Every loop is bounded; the handler is stopped by its PID. See bench/README.md.
var options = BenchOptions.Parse(args);
var repo = RepoRoot.Find();
if (Build.LocalHost(repo, options.NoBuild) is not { } handlerDll)
{
    return 2;
}

var work = Build.WorkDirectory("realtimebench");
using var azurite = await BenchAzurite.StartAsync(repo, work);
var port = BenchLocal.FreePort();
var baseUrl = $"http://127.0.0.1:{port}";
const string appSecret = "bench-app-secret-0123456789";
const string accessKey = HandlerProcess.AccessKey;

// The whole run is bounded: start-up settle + connect + two phases + the drain + margins.
using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(180 + options.SettleSeconds + options.QuietBoundSeconds + (2 * options.Seconds) + (options.Connections / 20) + Phase.DrainSeconds));
using var handler = HandlerProcess.Start(handlerDll, work, port, appSecret, azurite,
    options.Gc == "default" ? null : new Dictionary<string, string> { ["DOTNET_gcServer"] = options.Gc == "server" ? "1" : "0" });
Console.CancelKeyPress += (_, e) => { e.Cancel = true; deadline.Cancel(); };
var clients = new List<SocketClient>();
try
{
    await handler.WaitReadyAsync(baseUrl, TimeSpan.FromSeconds(90));
    Console.WriteLine($"handler pid {handler.Pid} ready at {baseUrl} (GC: {options.Gc}); {Environment.ProcessorCount} CPUs shared by handler and bench");
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, UseProxy = false, PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { Timeout = TimeSpan.FromSeconds(30) };

    var token = await DevTokenAsync(http, baseUrl, "carla");
    var url = await NegotiateAsync(http, baseUrl, token);
    await Task.Delay(TimeSpan.FromSeconds(Math.Max(2, options.SettleSeconds)), deadline.Token);
    var rssIdle = handler.RssKiB();

    var total = options.Rate * options.Seconds;
    Console.WriteLine($"opening {options.Connections} sockets as carla (supervisor) …");
    var connectWatch = Stopwatch.StartNew();
    using (var gate = new SemaphoreSlim(32))
    {
        var opening = Enumerable.Range(0, options.Connections).Select(async i =>
        {
            await gate.WaitAsync(deadline.Token);
            try
            {
                return await SocketClient.ConnectAsync(url, 2 * total, deadline.Token);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        clients.AddRange(await Task.WhenAll(opening));
    }

    Console.WriteLine($"{clients.Count} sockets connected in {connectWatch.Elapsed.TotalSeconds:F1} s");
    using var acks = new CancellationTokenSource();
    var ackLoop = SocketClient.RunAckLoopAsync(clients, acks.Token);
    await Task.Delay(TimeSpan.FromSeconds(3), deadline.Token); // let the connected events settle
    // Each connected event updates the agent's availability through an orchestration on the agent's entity: 1,000 sockets
    // of one user are 1,000 orchestrations in a row. The load starts once the handler and Azurite are quiet again.
    var quiet = await WaitQuietAsync(handler, azurite, TimeSpan.FromSeconds(options.QuietBoundSeconds), deadline.Token);
    Console.WriteLine(FormattableString.Invariant($"after connecting: handler and Azurite quiet again {quiet.TotalSeconds:F1} s later (both under 25 % of a core over 2 s; bound {options.QuietBoundSeconds} s)"));
    var rssConnected = handler.RssKiB();

    var restToken = Hs256.Create(accessKey, $"{baseUrl}/api/hubs/agents/groups/supervisors.demo/:send?api-version=2024-12-01", TimeSpan.FromMinutes(30));
    var run = Guid.NewGuid().ToString("N")[..8];
    var load0 = File.ReadAllText("/proc/loadavg").Trim();
    await using var probe = new AzuriteStallProbe(azurite);
    var (azuriteCpu0, azuriteClock) = (azurite.CpuTime(), Stopwatch.StartNew());
    var (baseline, webhook, handlerCpu, benchCpu) = await Phase.RunInterleavedAsync(options, clients, handler, deadline.Token,
        i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/api/hubs/agents/groups/supervisors.demo/:send?api-version=2024-12-01")
            {
                Content = new ByteArrayContent(Payloads.EventLike(i)),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", restToken);
            return http.SendAsync(request, deadline.Token);
        },
        i =>
        {
            var (body, signature) = Payloads.Webhook(appSecret, run, i);
            var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/api/whatsapp/webhook") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", signature);
            return http.SendAsync(request, deadline.Token);
        });
    var load1 = File.ReadAllText("/proc/loadavg").Trim();
    var stall = probe.Take();
    var azuriteCpu = 100 * (azurite.CpuTime() - azuriteCpu0).TotalSeconds / azuriteClock.Elapsed.TotalSeconds;
    var rssLoaded = handler.RssKiB();
    await acks.CancelAsync();
    await ackLoop;

    Console.WriteLine();
    Console.WriteLine($"connections {options.Connections}, rate {options.Rate}/s, {total} POSTs of each kind in alternating {Phase.BlockSeconds} s blocks ({(long)total * options.Connections} deliveries expected per kind)");
    Console.WriteLine($"load average before {load0} / after {load1}; handler CPU {handlerCpu:F0} %, bench CPU {benchCpu:F0} %, Azurite CPU {azuriteCpu:F0} % of one core over the run (load and drain); Azurite's slowest answer to the stall probe {stall.MaxMs:F0} ms ({stall.Over1s} of {stall.Probes} probes over 1 s)");
    Console.WriteLine();
    Console.WriteLine("| path | POSTs | non-2xx | POST p50 ms | POST p99 ms | deliveries | missing | p50 ms | p90 ms | p99 ms | max ms |");
    Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    Console.WriteLine(baseline.Row());
    Console.WriteLine(webhook.Row());
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"ratio webhook/baseline: p50 {webhook.P(0.5) / baseline.P(0.5):F2}x, p99 {webhook.P(0.99) / baseline.P(0.99):F2}x"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"handler VmRSS: idle {rssIdle / 1024.0:F1} MiB, {options.Connections} connected {rssConnected / 1024.0:F1} MiB, after load {rssLoaded / 1024.0:F1} MiB → " +
        $"{(rssConnected - rssIdle) / (double)options.Connections:F1} KiB/connection connected, {(rssLoaded - rssIdle) / (double)options.Connections:F1} KiB/connection after load"));
    var closedEarly = clients.Count(c => c.Closed);
    if (closedEarly > 0)
    {
        Console.WriteLine($"{closedEarly} sockets were closed by the hub during the run: {clients.First(c => c.Closed).CloseReason}");
    }

    return baseline.Missing == 0 && webhook.Missing == 0 && webhook.Errors == 0 && baseline.Errors == 0 ? 0 : 1;
}
finally
{
    using (var closing = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
    {
        try
        {
            await Task.WhenAll(clients.Select(c => c.CloseAsync(closing.Token)));
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
    }

    BenchLocal.CleanUp(handler, work);
}

// Until the handler and Azurite each use under 25 % of a core over 2 s (bounded); returns how long that took.
static async Task<TimeSpan> WaitQuietAsync(HandlerProcess handler, BenchAzurite azurite, TimeSpan bound, CancellationToken ct)
{
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed < bound)
    {
        var (h0, a0) = (handler.CpuTime(), azurite.CpuTime());
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        if ((handler.CpuTime() - h0).TotalSeconds < 0.5 && (azurite.CpuTime() - a0).TotalSeconds < 0.5)
        {
            return clock.Elapsed;
        }
    }

    return clock.Elapsed;
}

static async Task<string> DevTokenAsync(HttpClient http, string baseUrl, string agentId)
{
    using var response = await http.PostAsync(baseUrl + "/api/dev/token", new StringContent("{\"agentId\":\"" + agentId + "\"}", Encoding.UTF8, "application/json"));
    response.EnsureSuccessStatusCode();
    using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    return body.RootElement.GetProperty("accessToken").GetString()!;
}

static async Task<string> NegotiateAsync(HttpClient http, string baseUrl, string token)
{
    using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl + "/api/negotiate");
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    using var response = await http.SendAsync(request);
    response.EnsureSuccessStatusCode();
    using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    var groups = body.RootElement.GetProperty("groups").EnumerateArray().Select(g => g.GetString()).ToList();
    if (!groups.Contains("supervisors.demo"))
    {
        throw new InvalidOperationException("negotiate did not put carla in supervisors.demo: " + string.Join(",", groups));
    }

    return body.RootElement.GetProperty("url").GetString()!;
}

internal sealed record BenchOptions(int Connections, int Rate, int Seconds, bool NoBuild, string Gc, int SettleSeconds, int QuietBoundSeconds)
{
    public static BenchOptions Parse(string[] args)
    {
        int Int(string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }

        var gcIndex = Array.IndexOf(args, "--gc");
        var gc = gcIndex >= 0 && gcIndex + 1 < args.Length ? args[gcIndex + 1] : "default";
        var o = new BenchOptions(Int("--connections", 1000), Int("--rate", 20), Int("--seconds", 20), args.Contains("--no-build"), gc, Int("--settle-seconds", 20), Int("--quiet-bound", 300));
        if (o.Connections is < 1 or > 20_000 || o.Rate is < 1 or > 1000 || o.Seconds is < 1 or > 300 || o.Gc is not ("default" or "server" or "workstation") || o.SettleSeconds is < 0 or > 300
            || o.QuietBoundSeconds is < 0 or > 1800)
        {
            throw new ArgumentException("--connections 1..20000, --rate 1..1000, --seconds 1..300, --gc default|server|workstation, --settle-seconds 0..300, --quiet-bound 0..1800 (wait after connecting)");
        }

        return o;
    }
}

/// <summary>One measured phase: <c>count</c> POSTs at a steady rate, each expected on every socket.</summary>
/// <summary>
/// Both paths in one run, at one steady rate, in alternating blocks (baseline, webhook, baseline, …) so
/// that both see the same machine (the VM is shared and noisy). Marker n in [0, total) is the baseline's
/// n-th POST, [total, 2·total) the webhook's. Every marker is expected on every socket.
/// </summary>
internal static class Phase
{
    public const int BlockSeconds = 2;

    /// <summary>
    /// After the last POST, how long the bench waits at most for every frame. A webhook's event is published once the
    /// customer's entity placed the message (a queue hop after the 200), so a backlog of placements arrives after the load.
    /// </summary>
    public const int DrainSeconds = 60;

    public static async Task<(PhaseResult Baseline, PhaseResult Webhook, double HandlerCpuPercent, double BenchCpuPercent)> RunInterleavedAsync(
        BenchOptions options, IReadOnlyList<SocketClient> clients, HandlerProcess handler, CancellationToken ct,
        Func<int, Task<HttpResponseMessage>> baselinePost, Func<int, Task<HttpResponseMessage>> webhookPost)
    {
        var total = options.Rate * options.Seconds;
        var block = Math.Max(1, options.Rate * BlockSeconds);
        var schedule = new List<int>(2 * total);
        for (int b = 0, next0 = 0, next1 = total; next0 < total || next1 < 2 * total; b++)
        {
            for (var k = 0; k < block; k++)
            {
                if (b % 2 == 0 && next0 < total)
                {
                    schedule.Add(next0++);
                }
                else if (b % 2 == 1 && next1 < 2 * total)
                {
                    schedule.Add(next1++);
                }
            }
        }

        Console.WriteLine($"{2 * total} POSTs at {options.Rate}/s, alternating {BlockSeconds} s blocks of REST send-to-group and webhooks …");
        var sentAt = new long[2 * total];
        var postTicks = new long[2 * total];
        var codes = new int[2 * total];
        var cpu0 = handler.CpuTime();
        var benchCpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var inFlight = new List<Task>(schedule.Count);
        var start = Stopwatch.GetTimestamp();
        for (var n = 0; n < schedule.Count; n++)
        {
            // Open loop: POST n starts at start + n/rate, whether or not earlier POSTs finished.
            var due = start + (long)(n * (double)Stopwatch.Frequency / options.Rate);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency), ct);
            }

            var index = schedule[n];
            var post = index < total ? baselinePost : webhookPost;
            inFlight.Add(Task.Run(async () =>
            {
                var t0 = Stopwatch.GetTimestamp();
                Volatile.Write(ref sentAt[index], t0);
                try
                {
                    using var response = await post(index);
                    codes[index] = (int)response.StatusCode;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    codes[index] = 0;
                }

                postTicks[index] = Stopwatch.GetTimestamp() - t0;
            }, ct));
        }

        await Task.WhenAll(inFlight);

        // Drain (bounded): wait until every socket holds every marker, or DrainSeconds.
        var drain = Stopwatch.StartNew();
        var until = Stopwatch.GetTimestamp() + (DrainSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until && clients.Any(c => c.CountReceived(0, 2 * total) < 2 * total))
        {
            await Task.Delay(50, ct);
        }

        Console.WriteLine(FormattableString.Invariant($"drain after the last POST: {drain.Elapsed.TotalSeconds:F1} s (bound {DrainSeconds} s)"));

        var seconds = wall.Elapsed.TotalSeconds;
        var handlerCpu = 100 * (handler.CpuTime() - cpu0).TotalSeconds / seconds;
        var benchCpu = 100 * (Process.GetCurrentProcess().TotalProcessorTime - benchCpu0).TotalSeconds / seconds;
        return (Result("baseline: REST send to group", 0), Result("webhook → socket", total), handlerCpu, benchCpu);

        PhaseResult Result(string name, int first)
        {
            var latencies = new List<long>(clients.Count * total);
            long missing = 0;
            foreach (var client in clients)
            {
                for (var i = first; i < first + total; i++)
                {
                    var arrived = client.ArrivedAt(i);
                    if (arrived == 0)
                    {
                        missing++;
                    }
                    else
                    {
                        latencies.Add(arrived - sentAt[i]);
                    }
                }
            }

            var sorted = latencies.ToArray();
            Array.Sort(sorted);
            var posts = postTicks.AsSpan(first, total).ToArray();
            Array.Sort(posts);
            return new PhaseResult(name, total, codes.AsSpan(first, total).ToArray().Count(c => c is < 200 or > 299), posts, sorted, missing);
        }
    }
}

internal sealed record PhaseResult(string Name, int Posts, int Errors, long[] PostTicks, long[] Deliveries, long Missing)
{
    public double P(double q) => Percentile(Deliveries, q);

    private static double Percentile(long[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var index = Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1);
        return sorted[index] * 1000.0 / Stopwatch.Frequency;
    }

    public string Row() => string.Create(CultureInfo.InvariantCulture,
        $"| {Name} | {Posts} | {Errors} | {Percentile(PostTicks, 0.5):F2} | {Percentile(PostTicks, 0.99):F2} | {Deliveries.Length} | {Missing} | {P(0.5):F2} | {P(0.9):F2} | {P(0.99):F2} | {P(1.0):F2} |");
}

/// <summary>
/// One socket with the reliable JSON subprotocol. The receive loop scans each frame for its
/// <c>sequenceId</c> and the bench marker without a full JSON parse (cheap for the shared CPUs) and
/// records the first arrival time of each marker; acknowledgements follow @azure/web-pubsub-client:
/// at most once a second, at once when more than 300 frames behind.
/// </summary>
internal sealed class SocketClient
{
    private static readonly byte[] SequenceKey = "\"sequenceId\":"u8.ToArray();
    private static readonly byte[] MarkerKey = "rtbmark"u8.ToArray();
    private readonly ClientWebSocket socket;
    private readonly long[] arrivals;
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private long lastSequence;
    private long lastAcked;
    private Task? loop;

    private SocketClient(ClientWebSocket socket, int markers)
    {
        this.socket = socket;
        arrivals = new long[markers];
    }

    public bool Closed { get; private set; }

    public string? CloseReason { get; private set; }

    public long ArrivedAt(int marker) => Volatile.Read(ref arrivals[marker]);

    public int CountReceived(int first, int count)
    {
        var n = 0;
        for (var i = first; i < first + count; i++)
        {
            if (Volatile.Read(ref arrivals[i]) != 0)
            {
                n++;
            }
        }

        return n;
    }

    public static async Task<SocketClient> ConnectAsync(string url, int markers, CancellationToken ct)
    {
        var ws = new ClientWebSocket();
        ws.Options.AddSubProtocol("json.reliable.webpubsub.azure.v1");
        ws.Options.KeepAliveInterval = TimeSpan.FromSeconds(20);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ws.ConnectAsync(new Uri(url), ct);
                break;
            }
            catch (WebSocketException) when (attempt < 3)
            {
                ws.Dispose();
                ws = new ClientWebSocket();
                ws.Options.AddSubProtocol("json.reliable.webpubsub.azure.v1");
                await Task.Delay(200, ct);
            }
        }

        var client = new SocketClient(ws, markers);
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.loop = client.ReceiveLoopAsync(connected);
        await connected.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        return client;
    }

    public static async Task RunAckLoopAsync(IReadOnlyList<SocketClient> clients, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                foreach (var client in clients)
                {
                    await client.AckAsync(force: true);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var client in clients)
        {
            await client.AckAsync(force: true);
        }
    }

    public async Task CloseAsync(CancellationToken ct)
    {
        if (socket.State == WebSocketState.Open)
        {
            await sendLock.WaitAsync(ct);
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bench done", ct);
            }
            catch (WebSocketException)
            {
            }
            finally
            {
                sendLock.Release();
            }
        }

        if (loop is not null)
        {
            await loop.WaitAsync(ct);
        }

        socket.Dispose();
    }

    private async Task AckAsync(bool force)
    {
        var seq = Interlocked.Read(ref lastSequence);
        var acked = Interlocked.Read(ref lastAcked);
        if (seq <= acked || (!force && seq - acked <= 300) || socket.State != WebSocketState.Open)
        {
            return;
        }

        await sendLock.WaitAsync();
        try
        {
            Interlocked.Exchange(ref lastAcked, seq);
            await socket.SendAsync(Encoding.ASCII.GetBytes("{\"type\":\"sequenceAck\",\"sequenceId\":" + seq.ToString(CultureInfo.InvariantCulture) + "}"), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
        {
        }
        finally
        {
            sendLock.Release();
        }
    }

    private async Task ReceiveLoopAsync(TaskCompletionSource connected)
    {
        var buffer = new byte[8 * 1024];
        var assembled = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                var now = Stopwatch.GetTimestamp();
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseReason = $"{socket.CloseStatus} {socket.CloseStatusDescription}";
                    Closed = true;
                    return;
                }

                ReadOnlySpan<byte> frame;
                if (result.EndOfMessage && assembled.Length == 0)
                {
                    frame = buffer.AsSpan(0, result.Count);
                }
                else
                {
                    assembled.Write(buffer, 0, result.Count);
                    if (!result.EndOfMessage)
                    {
                        continue;
                    }

                    frame = assembled.GetBuffer().AsSpan(0, (int)assembled.Length);
                }

                if (!connected.Task.IsCompleted && frame.IndexOf("\"connected\""u8) >= 0)
                {
                    connected.TrySetResult();
                }

                var sequence = ReadNumber(frame, SequenceKey);
                if (sequence > 0)
                {
                    Interlocked.Exchange(ref lastSequence, Math.Max(Interlocked.Read(ref lastSequence), sequence));
                }

                var marker = ReadNumber(frame, MarkerKey);
                if (marker >= 0 && marker < arrivals.Length && Volatile.Read(ref arrivals[marker]) == 0)
                {
                    Volatile.Write(ref arrivals[marker], now);
                }

                assembled.SetLength(0);
                if (sequence - Interlocked.Read(ref lastAcked) > 300)
                {
                    await AckAsync(force: false);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            CloseReason = e.Message;
            Closed = true;
            connected.TrySetException(e);
        }
    }

    /// <summary>The decimal number right after <paramref name="key"/> in <paramref name="frame"/>, or -1.</summary>
    private static long ReadNumber(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> key)
    {
        var at = frame.IndexOf(key);
        if (at < 0)
        {
            return -1;
        }

        long value = 0;
        var digits = 0;
        for (var i = at + key.Length; i < frame.Length && frame[i] is >= (byte)'0' and <= (byte)'9' && digits < 18; i++, digits++)
        {
            value = (value * 10) + (frame[i] - '0');
        }

        return digits == 0 ? -1 : value;
    }
}

/// <summary>Request bodies. Markers are <c>rtbmark&lt;n&gt;x</c>, plain ASCII, so JSON escaping never touches them.</summary>
internal static class Payloads
{
    /// <summary>A signed Meta text webhook from a distinct customer (each one opens a new conversation).</summary>
    public static (byte[] Body, string Signature) Webhook(string appSecret, string run, int n)
    {
        var customer = "55119" + (10_000_000 + n).ToString(CultureInfo.InvariantCulture);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var json = "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"200300400500600\",\"changes\":[{\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"551140001234\",\"phone_number_id\":\"100200300400500\"},"
            + "\"contacts\":[{\"profile\":{\"name\":\"Cliente " + customer[^4..] + "\"},\"wa_id\":\"" + customer + "\",\"user_id\":\"BR." + customer + "\"}],"
            + "\"messages\":[{\"from\":\"" + customer + "\",\"from_user_id\":\"BR." + customer + "\",\"id\":\"wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFj" + run + n.ToString(CultureInfo.InvariantCulture) + "\",\"timestamp\":\"" + now + "\",\"type\":\"text\",\"text\":{\"body\":\"Olá, boa tarde! Gostaria de saber o status do meu pedido rtbmark" + n.ToString(CultureInfo.InvariantCulture) + "x, por favor.\"}}]},\"field\":\"messages\"}]}]}";
        var body = Encoding.UTF8.GetBytes(json);
        return (body, "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body)));
    }

    /// <summary>A JSON body shaped and sized like the conversation.queued event the webhook phase produces (≈1.4 KB).</summary>
    public static byte[] EventLike(int n)
    {
        var id = n.ToString("x32", CultureInfo.InvariantCulture);
        var customer = "55119" + (10_000_000 + n).ToString(CultureInfo.InvariantCulture);
        var at = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture);
        var json = "{\"type\":\"conversation.queued\",\"tenantId\":\"demo\",\"conversationId\":\"" + id + "\",\"version\":1,\"agentId\":null,\"data\":{\"conversation\":{\"id\":\"" + id + "\",\"channelId\":\"100200300400500\",\"customerName\":\"Cliente " + customer[^4..] + "\",\"customerNumber\":\"\\u002B" + customer + "\",\"agentId\":null,\"stage\":\"queued\",\"origin\":\"inbound\",\"version\":1,\"templateOnly\":false,\"awaitingCustomerReply\":false,\"createdAt\":\"" + at + "\",\"assignedAt\":null,\"closedAt\":null,\"lastMessageAt\":\"" + at + "\",\"qualificationId\":null,\"qualificationName\":null,\"description\":null},"
            + "\"message\":{\"id\":\"" + id + ".1\",\"seq\":1,\"direction\":\"in\",\"kind\":\"text\",\"text\":\"Olá, boa tarde! Gostaria de saber o status do meu pedido rtbmark" + n.ToString(CultureInfo.InvariantCulture) + "x, por favor.\",\"body\":\"Olá, boa tarde! Gostaria de saber o status do meu pedido, por favor.\",\"media\":null,\"status\":\"received\",\"errorCode\":null,\"errorText\":null,\"errorDetails\":null,\"at\":\"" + at + "\",\"version\":1,\"agentId\":null,\"templateName\":null,\"headerImage\":null,\"wamid\":\"wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFj" + id + "\"}}}";
        return Encoding.UTF8.GetBytes(json);
    }
}

/// <summary>HS256 JWT signed with the UTF-8 bytes of the access key, as the Web PubSub REST API expects.</summary>
internal static class Hs256
{
    public static string Create(string key, string audience, TimeSpan lifetime)
    {
        var now = DateTimeOffset.UtcNow;
        var header = Base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8);
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["aud"] = audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.Add(lifetime).ToUnixTimeSeconds(),
        }));
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes(header + "." + payload));
        return header + "." + payload + "." + Base64Url(signature);
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
