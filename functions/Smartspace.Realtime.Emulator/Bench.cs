using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Smartspace.Realtime.Auth;

namespace Smartspace.Realtime.Emulator;

/// <summary>
/// Load benchmark: starts a child emulator process on a free loopback port, opens N reliable-protocol
/// client connections (all in group <c>bench</c>, acking once a second like the JS client), publishes
/// to the group through the REST API at a steady rate, and reports delivery latency percentiles and
/// the emulator's working set per connection ((after connect − before) ÷ N).
/// </summary>
internal static class Bench
{
    private const string Key = "bench-access-key-0123456789-abcdefghijklmnop";
    private const string Hub = "bench";

    public static async Task<int> RunAsync(string[] args)
    {
        var connections = IntArg(args, "--connections", 1000);
        var rate = IntArg(args, "--rate", 20);
        var seconds = IntArg(args, "--seconds", 15);
        var port = FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";

        var psi = new ProcessStartInfo("dotnet", [typeof(Bench).Assembly.Location, "--urls", baseUrl])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["WebPubSub__AccessKey"] = Key;
        using var child = Process.Start(psi)!;
        child.OutputDataReceived += (_, _) => { };
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[emulator] " + e.Data); };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient();
            await WaitHealthyAsync(http, baseUrl);

            // warm up (JIT, pools) so the baseline excludes one-time costs
            var warm = await OpenAsync(baseUrl, 20, "warm", null);
            for (var i = 0; i < 20; i++)
            {
                await PublishAsync(http, baseUrl, "warm", 0);
            }

            await Task.Delay(1000);
            foreach (var c in warm)
            {
                await c.CloseAsync();
            }

            await Task.Delay(1500);
            child.Refresh();
            var before = child.WorkingSet64;

            var started = Stopwatch.StartNew();
            var latencies = new LatencySink(connections * rate * seconds);
            var clients = await OpenAsync(baseUrl, connections, Hub, latencies);
            var connectTime = started.Elapsed;
            await Task.Delay(2000);
            child.Refresh();
            var afterConnect = child.WorkingSet64;

            var interval = TimeSpan.FromSeconds(1.0 / rate);
            var sendClock = Stopwatch.StartNew();
            var sent = 0;
            var restTimes = new LatencySink(rate * seconds);
            for (var i = 0; i < rate * seconds; i++)
            {
                var due = interval * i;
                var wait = due - sendClock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                var t0 = Stopwatch.GetTimestamp();
                await PublishAsync(http, baseUrl, Hub, i);
                restTimes.Add(Stopwatch.GetTimestamp() - t0);
                sent++;
            }

            var expected = (long)sent * connections;
            var deadline = Stopwatch.StartNew();
            while (latencies.Count < expected && deadline.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(100);
            }

            child.Refresh();
            var afterLoad = child.WorkingSet64;
            var alive = clients.Count(c => c.Socket.State == WebSocketState.Open);
            var sorted = latencies.Sorted();
            var rest = restTimes.Sorted();

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                connections: {connections} (open at end: {alive}), connect time {connectTime.TotalSeconds:F1} s
                publishes: {sent} to group '{Hub}' over {seconds} s ({rate}/s) via REST → {expected} expected deliveries, {latencies.Count} received
                delivery latency (REST call start → client frame parsed): min {Pct(sorted, 0.0):F2} ms, p50 {Pct(sorted, 0.50):F2} ms, p95 {Pct(sorted, 0.95):F2} ms, p99 {Pct(sorted, 0.99):F2} ms, max {Pct(sorted, 1.0):F2} ms
                REST publish call (202 received): p50 {Pct(rest, 0.50):F2} ms, p99 {Pct(rest, 0.99):F2} ms, max {Pct(rest, 1.0):F2} ms
                emulator working set: before {Mb(before)} MiB, after connect {Mb(afterConnect)} MiB, after load {Mb(afterLoad)} MiB
                memory per connection: {(afterConnect - before) / (double)connections / 1024:F1} KiB idle, {(afterLoad - before) / (double)connections / 1024:F1} KiB after load
                """));

            foreach (var c in clients)
            {
                await c.CloseAsync();
            }

            return latencies.Count == expected ? 0 : 1;
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task PublishAsync(HttpClient http, string baseUrl, string group, int n)
    {
        var url = $"{baseUrl}/api/hubs/{Hub}/groups/{group}/:send?api-version=2024-12-01";
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(string.Create(CultureInfo.InvariantCulture, $"{{\"n\":{n},\"t\":{Stopwatch.GetTimestamp()}}}"), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", HubJwt.Create(Key, url, TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(5)));
        using var response = await http.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"publish failed: {(int)response.StatusCode}");
        }
    }

    private static async Task<List<BenchClient>> OpenAsync(string baseUrl, int count, string group, LatencySink? sink)
    {
        var clients = new BenchClient[count];
        using var gate = new SemaphoreSlim(50);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                clients[i] = await BenchClient.ConnectAsync(baseUrl, $"user-{i}", group, sink);
            }
            finally
            {
                gate.Release();
            }
        }));
        return [.. clients];
    }

    private static async Task WaitHealthyAsync(HttpClient http, string baseUrl)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                using var r = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, baseUrl + "/api/health"));
                if (r.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("emulator did not become healthy");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }

    private static double Pct(long[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)] * 1000.0 / Stopwatch.Frequency;

    private static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("F1", CultureInfo.InvariantCulture);

    private sealed class LatencySink(int capacity)
    {
        private readonly long[] _values = new long[capacity];
        private int _count;

        public int Count => Math.Min(Volatile.Read(ref _count), _values.Length);

        public void Add(long ticks)
        {
            var i = Interlocked.Increment(ref _count) - 1;
            if (i < _values.Length)
            {
                _values[i] = ticks;
            }
        }

        public long[] Sorted()
        {
            var copy = _values.AsSpan(0, Count).ToArray();
            Array.Sort(copy);
            return copy;
        }
    }

    private sealed class BenchClient
    {
        private readonly LatencySink? _sink;
        private ulong _lastSequenceId;
        private long _lastAck;

        private BenchClient(ClientWebSocket socket, LatencySink? sink)
        {
            Socket = socket;
            _sink = sink;
        }

        public ClientWebSocket Socket { get; }

        private Task? Loop { get; set; }

        public static async Task<BenchClient> ConnectAsync(string baseUrl, string userId, string group, LatencySink? sink)
        {
            var aud = $"{baseUrl}/client/hubs/{Hub}";
            var token = HubJwt.Create(Key, aud, TimeProvider.System.GetUtcNow(), TimeSpan.FromHours(1), userId, groups: [group]);
            var socket = new ClientWebSocket();
            socket.Options.AddSubProtocol("json.reliable.webpubsub.azure.v1");
            await socket.ConnectAsync(new Uri(aud.Replace("http://", "ws://") + "?access_token=" + token), CancellationToken.None);
            var client = new BenchClient(socket, sink);
            client.Loop = client.ReceiveAsync();
            return client;
        }

        public async Task CloseAsync()
        {
            try
            {
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
            }
            catch (WebSocketException)
            {
            }
        }

        private async Task ReceiveAsync()
        {
            var buffer = new byte[8192];
            try
            {
                while (true)
                {
                    var r = await Socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (r.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    var now = Stopwatch.GetTimestamp();
                    using var doc = JsonDocument.Parse(buffer.AsMemory(0, r.Count));
                    var root = doc.RootElement;
                    if (root.TryGetProperty("sequenceId", out var seq))
                    {
                        _lastSequenceId = seq.GetUInt64();
                    }

                    if (_sink is not null && root.TryGetProperty("data", out var data) && data.TryGetProperty("t", out var t))
                    {
                        _sink.Add(now - t.GetInt64());
                    }

                    if (_lastSequenceId > 0 && Environment.TickCount64 - _lastAck > 1000)
                    {
                        _lastAck = Environment.TickCount64;
                        await Socket.SendAsync(Encoding.UTF8.GetBytes($"{{\"type\":\"sequenceAck\",\"sequenceId\":{_lastSequenceId}}}"), WebSocketMessageType.Text, true, CancellationToken.None);
                    }
                }
            }
            catch (WebSocketException)
            {
            }
        }
    }
}
