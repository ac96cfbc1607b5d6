using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

// WebhookBench: starts the real handler (Release build, tables and media on an Azurite it starts) on a free
// 127.0.0.1 port and measures, in the same run, a baseline endpoint of that host (reads the body,
// answers 200) and the real WhatsApp webhook with signed, realistic traffic. Closed loop: N workers,
// each with its own single-connection HttpClient. See bench/README.md.
var options = BenchOptions.Parse(args);
var repo = RepoRoot.Find();
var handlerProject = Path.Combine(repo, "functions", "Smartspace.LocalHost");
var handlerDll = Path.Combine(handlerProject, "bin", "Release", "net10.0", "Smartspace.LocalHost.dll");

if (!options.NoBuild)
{
    Build.Release(handlerProject);
}

if (!File.Exists(handlerDll))
{
    Console.Error.WriteLine($"{handlerDll} is missing: build it with `dotnet build -c Release functions/Smartspace.LocalHost` or drop --no-build.");
    return 2;
}

var work = Path.Combine(Path.GetTempPath(), "webhookbench-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(work);
using var azurite = await BenchAzurite.StartAsync(repo, work);
var port = BenchLocal.FreePort();
var baseUrl = $"http://127.0.0.1:{port}";
const string appSecret = "bench-app-secret-0123456789";

using var handler = HandlerProcess.Start(handlerDll, work, port, appSecret, azurite,
    new Dictionary<string, string> { ["Bench__BaselineEndpoint"] = "true", ["Timers__Hosted"] = "true" },
    Environment.GetEnvironmentVariable("WEBHOOKBENCH_LOG"));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; handler.Stop(); };
try
{
    await handler.WaitReadyAsync(baseUrl, TimeSpan.FromSeconds(90));
    Console.WriteLine($"handler pid {handler.Pid} ready at {baseUrl}; Azurite pid {azurite.Pid}");
    Console.WriteLine($"connections {options.Connections}, warm-up {options.WarmupSeconds} s, measure {options.Seconds} s each, {options.Rounds} round(s), {options.Customers} customers, {options.StatusPercent} % statuses");

    // Idle: the local host (its timers and the hub) and Azurite with nothing to do, before any load.
    if (options.IdleSeconds > 0)
    {
        var (h0, a0) = (handler.CpuTime(), azurite.CpuTime());
        await Task.Delay(TimeSpan.FromSeconds(options.IdleSeconds));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"idle {options.IdleSeconds} s: local host {100 * (handler.CpuTime() - h0).TotalSeconds / options.IdleSeconds:F1} % of one core, Azurite {100 * (azurite.CpuTime() - a0).TotalSeconds / options.IdleSeconds:F1} %"));
    }

    var unsigned = new Traffic(appSecret, options.Customers, options.StatusPercent);
    var traffic = new Traffic(appSecret, options.Customers, options.StatusPercent);
    var results = new List<(LoadResult Baseline, LoadResult Webhook)>();
    for (var round = 1; round <= options.Rounds; round++)
    {
        // Baseline and webhook alternate, so drift in the machine's load hits both alike.
        var b = await LoadRun.RunAsync($"baseline#{round}", baseUrl + "/bench/baseline", options, handler.CpuTime, azurite.CpuTime, _ => unsigned.Next(signed: false));
        var w = await LoadRun.RunAsync($"webhook#{round}", baseUrl + "/api/whatsapp/webhook", options, handler.CpuTime, azurite.CpuTime, _ => traffic.Next(signed: true));
        results.Add((b, w));
    }

    Console.WriteLine();
    Console.WriteLine("| endpoint | requests | 200s/s | p50 ms (200s) | p90 ms | p99 ms | max ms | non-200 | handler CPU µs/req | handler CPU % | Azurite CPU % | bench CPU % |");
    Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    foreach (var (b, w) in results)
    {
        Console.WriteLine(b.Row());
        Console.WriteLine(w.Row());
    }

    Console.WriteLine();
    foreach (var (b, w) in results)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{w.Name}: {w.Throughput:F0} webhooks answered 200 per second (budget >= 300), p99 {w.P(0.99):F2} ms (budget <= 100 ms at 32 connections); {w.Throughput / b.Throughput:F2}x the baseline's throughput"));
    }

    Console.WriteLine();
    Console.WriteLine($"webhook bodies: {traffic.Messages} messages, {traffic.Statuses} statuses generated (incl. warm-up); {Environment.ProcessorCount} CPUs shared by handler, bench and anything else running");
    return results.All(r => r.Webhook.Errors == 0) ? 0 : 1;
}
finally
{
    BenchLocal.CleanUp(handler, work);
}

internal sealed record BenchOptions(int Seconds, int WarmupSeconds, int Connections, int Customers, int StatusPercent, int Rounds, int IdleSeconds, bool NoBuild)
{
    public static BenchOptions Parse(string[] args)
    {
        int Int(string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }

        var o = new BenchOptions(Int("--seconds", 10), Int("--warmup", 3), Int("--connections", 64), Int("--customers", 5000), Int("--status-percent", 20), Int("--rounds", 1), Int("--idle-seconds", 0), args.Contains("--no-build"));
        if (o.Seconds is < 1 or > 600 || o.WarmupSeconds is < 0 or > 120 || o.Connections is < 1 or > 1024 || o.Customers is < 1 or > 99_999_999 || o.StatusPercent is < 0 or > 100 || o.Rounds is < 1 or > 10 || o.IdleSeconds is < 0 or > 600)
        {
            throw new ArgumentException("--seconds 1..600, --warmup 0..120, --connections 1..1024, --customers 1..99999999, --status-percent 0..100, --rounds 1..10, --idle-seconds 0..600");
        }

        return o;
    }
}




/// <summary>
/// Webhook bodies as Meta sends them: mostly one text message from one of many customers
/// (55 11 9XXXX-XXXX, unique wamids), and a share of delivery statuses (for wamids this
/// handler never sent: read, ignored and counted — the cheapest realistic status path).
/// </summary>
internal sealed class Traffic(string appSecret, int customers, int statusPercent)
{
    private readonly byte[] key = Encoding.UTF8.GetBytes(appSecret);
    private readonly string run = Guid.NewGuid().ToString("N")[..8];
    private long counter;
    private long messages;
    private long statuses;

    public long Messages => Interlocked.Read(ref messages);
    public long Statuses => Interlocked.Read(ref statuses);

    private static readonly string[] Texts =
    [
        "Olá, boa tarde! Gostaria de saber o status do meu pedido, por favor.",
        "Não recebi a segunda via do boleto, vocês podem reenviar? 🙏",
        "Oi",
        "Meu cartão foi recusado na compra de ontem, o que aconteceu?",
        "Obrigada pelo atendimento! 😀👍",
        "Quero cancelar a assinatura e falar com um atendente humano.",
    ];

    public (byte[] Body, string? Signature) Next(bool signed)
    {
        var n = Interlocked.Increment(ref counter);
        var random = Random.Shared;
        var customer = "55119" + random.Next(customers).ToString("D8", CultureInfo.InvariantCulture);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        string json;
        if (random.Next(100) < statusPercent)
        {
            Interlocked.Increment(ref statuses);
            var status = (n % 3) switch { 0 => "sent", 1 => "delivered", _ => "read" };
            json = "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"200300400500600\",\"changes\":[{\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"551140001234\",\"phone_number_id\":\"100200300400500\"},"
                + "\"statuses\":[{\"id\":\"wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEj" + run + n.ToString(CultureInfo.InvariantCulture) + "\",\"status\":\"" + status + "\",\"timestamp\":\"" + now + "\",\"recipient_id\":\"" + customer + "\",\"recipient_user_id\":\"BR." + customer + "\","
                + "\"pricing\":{\"billable\":true,\"pricing_model\":\"PMP\",\"type\":\"regular\",\"category\":\"utility\"}}]},\"field\":\"messages\"}]}]}";
        }
        else
        {
            Interlocked.Increment(ref messages);
            var text = Texts[random.Next(Texts.Length)];
            json = "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"200300400500600\",\"changes\":[{\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"551140001234\",\"phone_number_id\":\"100200300400500\"},"
                + "\"contacts\":[{\"profile\":{\"name\":\"Cliente " + customer[^4..] + "\"},\"wa_id\":\"" + customer + "\",\"user_id\":\"BR." + customer + "\"}],"
                + "\"messages\":[{\"from\":\"" + customer + "\",\"from_user_id\":\"BR." + customer + "\",\"id\":\"wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFj" + run + n.ToString(CultureInfo.InvariantCulture) + "\",\"timestamp\":\"" + now + "\",\"type\":\"text\",\"text\":{\"body\":\"" + text + "\"}}]},\"field\":\"messages\"}]}]}";
        }

        var body = Encoding.UTF8.GetBytes(json);
        return (body, signed ? "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, body)) : null);
    }
}

internal sealed class LoadResult(string name, long[] latencyTicks, long requests, long errors, double seconds, Dictionary<int, long> codes, TimeSpan handlerCpu, TimeSpan storeCpu, TimeSpan benchCpu)
{
    public string Name => name;
    public long Errors => errors;
    /// <summary>200 answers per second: a 503 (e.g. the store unavailable) is not throughput.</summary>
    public double Throughput => (requests - errors) / seconds;

    public double P(double quantile)
    {
        if (latencyTicks.Length == 0)
        {
            return double.NaN;
        }

        var index = Math.Clamp((int)Math.Ceiling(quantile * latencyTicks.Length) - 1, 0, latencyTicks.Length - 1);
        return latencyTicks[index] * 1000.0 / Stopwatch.Frequency;
    }

    public string Row() => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {requests} | {Throughput:F0} | {P(0.50):F2} | {P(0.90):F2} | {P(0.99):F2} | {P(1.0):F2} | {errors}{(codes.Count > 0 ? " (" + string.Join(", ", codes.Select(c => $"{c.Key}: {c.Value}")) + ")" : "")} | {handlerCpu.TotalMicroseconds / Math.Max(1, requests):F0} | {100 * handlerCpu.TotalSeconds / seconds:F0} | {100 * storeCpu.TotalSeconds / seconds:F0} | {100 * benchCpu.TotalSeconds / seconds:F0} |");
}

internal static class LoadRun
{
    public static async Task<LoadResult> RunAsync(string name, string url, BenchOptions options, Func<TimeSpan> handlerCpu, Func<TimeSpan> storeCpu, Func<int, (byte[] Body, string? Signature)> next)
    {
        Console.WriteLine($"{name}: warm-up {options.WarmupSeconds} s, then {options.Seconds} s");
        var clients = Enumerable.Range(0, options.Connections).Select(_ => new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        { Timeout = TimeSpan.FromSeconds(30) }).ToList();
        try
        {
            var start = Stopwatch.GetTimestamp();
            var measureFrom = start + (long)(options.WarmupSeconds * (double)Stopwatch.Frequency);
            var measureTo = measureFrom + (long)(options.Seconds * (double)Stopwatch.Frequency);
            var codes = new System.Collections.Concurrent.ConcurrentDictionary<int, long>();
            var cpu = Task.Run(async () =>
            {
                // CPU time of the handler and of this process over the measured window only.
                var wait = measureFrom - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency));
                }

                var (h0, s0, b0) = (handlerCpu(), storeCpu(), Process.GetCurrentProcess().TotalProcessorTime);
                await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
                return (handlerCpu() - h0, storeCpu() - s0, Process.GetCurrentProcess().TotalProcessorTime - b0);
            });
            var perWorker = await Task.WhenAll(clients.Select((client, worker) => Task.Run(async () =>
            {
                var latencies = new List<long>(64 * 1024);
                long errors = 0;
                while (true)
                {
                    var (body, signature) = next(worker);
                    using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                    request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                    if (signature is not null)
                    {
                        request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", signature);
                    }

                    var sent = Stopwatch.GetTimestamp();
                    if (sent >= measureTo)
                    {
                        break;
                    }

                    int code;
                    try
                    {
                        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                        code = (int)response.StatusCode;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        code = 0;
                    }

                    var done = Stopwatch.GetTimestamp();
                    if (sent >= measureFrom)
                    {
                        if (code == 200)
                        {
                            latencies.Add(done - sent);
                        }
                        else
                        {
                            errors++;
                            codes.AddOrUpdate(code, 1, (_, v) => v + 1);
                        }
                    }
                }

                return (latencies, errors);
            })));

            var all = perWorker.SelectMany(w => w.latencies).ToArray();
            Array.Sort(all);
            var (handlerTime, storeTime, benchTime) = await cpu;
            return new LoadResult(name, all, all.Length + perWorker.Sum(w => w.errors), perWorker.Sum(w => w.errors), options.Seconds, new Dictionary<int, long>(codes), handlerTime, storeTime, benchTime);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }
}
