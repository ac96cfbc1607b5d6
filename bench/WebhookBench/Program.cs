using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;

// WebhookBench: starts the real handler (Release build, tables and media on an Azurite it starts) on a free
// 127.0.0.1 port and measures, in the same run, a baseline endpoint of that host (reads the body,
// answers 200) and the real WhatsApp webhook with signed, realistic traffic. Closed loop: N workers,
// each with its own single-connection HttpClient. A webhook's 200 means the message is staged (one Tables batch) and its
// customer's entity signalled; the entity places it (message and conversation rows, the agent's event) after the 200, so
// after each webhook phase the bench waits for the staged rows to drain and reports the placement rate. --assigned M first
// makes M customers write once and waits until every one of their conversations is held by an agent (the seeded agents
// ana and bruno, available, raised to 100 conversations each), then sends the load only from those M customers. See
// bench/README.md.
var options = BenchOptions.Parse(args);
var repo = RepoRoot.Find();
if (Build.LocalHost(repo, options.NoBuild) is not { } handlerDll)
{
    return 2;
}

var work = Build.WorkDirectory("webhookbench");
using var azurite = await BenchAzurite.StartAsync(repo, work);
var port = BenchLocal.FreePort();
var baseUrl = $"http://127.0.0.1:{port}";
const string appSecret = "bench-app-secret-0123456789";

using var handler = HandlerProcess.Start(handlerDll, work, port, appSecret, azurite,
    new Dictionary<string, string>
    {
        ["Bench__BaselineEndpoint"] = "true",
        ["Timers__Hosted"] = "true",
        // The set-up's admin calls and polls as carla stay far below it; raised so that they never meet the per-agent limit.
        ["AgentApi__RateLimitPermits"] = "100000",
    },
    Environment.GetEnvironmentVariable("WEBHOOKBENCH_LOG"));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; handler.Stop(); };
try
{
    await handler.WaitReadyAsync(baseUrl, TimeSpan.FromSeconds(90));
    Console.WriteLine($"handler pid {handler.Pid} ready at {baseUrl}; Azurite pid {azurite.Pid}; load average {BenchLocal.LoadAverage()}");
    Console.WriteLine($"connections {options.Connections}, warm-up {options.WarmupSeconds} s, measure {options.Seconds} s each, {options.Rounds} round(s), {options.Customers} customers, {options.StatusPercent} % statuses" +
        (options.Assigned > 0 ? $", every message to an assigned conversation ({options.Assigned} customers)" : ""));
    var staged = await StagedRows.ConnectAsync(azurite.ConnectionString, TimeSpan.FromSeconds(60));
    await using var probe = new AzuriteStallProbe(azurite);
    string Stall(string what)
    {
        var (max, over, n) = probe.Take();
        return FormattableString.Invariant($"{what}: Azurite's slowest answer to the stall probe {max:F0} ms ({over} of {n} probes over 1 s)");
    }

    // Idle: the local host (its timers, the hub, the Durable runtime's pollers) and Azurite with nothing to do, before any
    // load and after the start-up settled.
    if (options.IdleSeconds > 0)
    {
        await BenchLocal.IdleCpuAsync(handler, azurite, options.SettleSeconds, options.IdleSeconds, "hosted timers on, Durable runtime in-process");
    }

    if (options.Assigned > 0)
    {
        await Assigned.PrepareAsync(baseUrl, appSecret, options.Assigned, staged);
    }

    var unsigned = new Traffic(appSecret, options.Customers, options.StatusPercent);
    var traffic = new Traffic(appSecret, options.Customers, options.StatusPercent);
    var results = new List<(LoadResult Baseline, LoadResult Webhook)>();
    var floors = new List<LoadResult>();
    var drains = new List<DrainResult>();
    var floor = options.StoreFloor ? await StoreFloor.CreateAsync(azurite.ConnectionString) : null;
    for (var round = 1; round <= options.Rounds; round++)
    {
        // Baseline and webhook alternate, so drift in the machine's load hits both alike.
        probe.Take();
        var b = await LoadRun.RunAsync($"baseline#{round}", baseUrl + "/bench/baseline", options, handler.CpuTime, azurite.CpuTime, _ => unsigned.Next(signed: false));
        Console.WriteLine(Stall(b.Name));
        var stagedBefore = await staged.CountAsync();
        probe.Take();
        var w = await LoadRun.RunAsync($"webhook#{round}", baseUrl + "/api/whatsapp/webhook", options, handler.CpuTime, azurite.CpuTime, _ => traffic.Next(signed: true));
        Console.WriteLine(Stall(w.Name));
        results.Add((b, w));

        // Placement drain: the entities place what the webhooks staged; the next phase starts once none is left (or the bound).
        var drain = await staged.DrainAsync(w, stagedBefore, options.WarmupSeconds + options.Seconds, TimeSpan.FromSeconds(options.DrainSeconds), handler.CpuTime, azurite.CpuTime, baseUrl + "/api/whatsapp/webhook");
        drains.Add(drain);
        Console.WriteLine(drain.Summary() + "; " + staged.QueryCost);
        Console.WriteLine(Stall(w.Name + " drain"));
    }

    if (floor is not null)
    {
        // The webhook's own two storage calls alone, with the placement idle: the floor under its 200. Once, after the
        // rounds, and its rows and messages deleted after it: Azurite's queue service slows down as undelivered messages pile up.
        probe.Take();
        foreach (var (name, batch, enqueue) in new[] { ("store-floor", true, true), ("store-floor batch", true, false), ("store-floor enqueue", false, true) })
        {
            // Both calls as the webhook makes them, then each alone: which of Azurite's services sets the floor.
            floors.Add(await floor.RunAsync(name, options, handler.CpuTime, azurite.CpuTime, batch, enqueue));
            Console.WriteLine(Stall(name));
        }

        await floor.DeleteAsync();
    }

    Console.WriteLine();
    Console.WriteLine("| endpoint | requests | 200s/s | p50 ms (200s) | p90 ms | p99 ms | max ms | non-200 | handler CPU µs/req | handler CPU % | Azurite CPU % | bench CPU % |");
    Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    foreach (var (b, w) in results)
    {
        Console.WriteLine(b.Row());
        Console.WriteLine(w.Row());
    }

    foreach (var f in floors)
    {
        Console.WriteLine(f.Row());
    }

    Console.WriteLine();
    foreach (var (b, w) in results)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{w.Name}: {w.Throughput:F0} webhooks answered 200 per second (budget >= 300), p99 {w.P(0.99):F2} ms (budget <= 100 ms at 32 connections); {w.Throughput / b.Throughput:F2}x the baseline's throughput"));
    }

    Console.WriteLine();
    Console.WriteLine("Placement after each webhook phase (the customers' entities move the staged messages into their conversations):");
    Console.WriteLine();
    Console.WriteLine("| phase | messages staged (200s incl. warm-up and re-deliveries) | placed during the load /s | staged left at end of load | drain s | placed /s over load + drain | handler CPU % in drain | Azurite CPU % in drain | left after the bound |");
    Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    foreach (var d in drains)
    {
        Console.WriteLine(d.Row());
    }

    Console.WriteLine();
    Console.WriteLine($"webhook bodies: {traffic.Messages} messages, {traffic.Statuses} statuses generated (incl. warm-up); {Environment.ProcessorCount} CPUs shared by handler, bench and anything else running; load average at the end {BenchLocal.LoadAverage()}");
    return results.All(r => r.Webhook.Errors == 0) && drains.All(d => d.Left == 0) ? 0 : 1;
}
finally
{
    BenchLocal.CleanUp(handler, work);
}

internal sealed record BenchOptions(int Seconds, int WarmupSeconds, int Connections, int Customers, int StatusPercent, int Rounds, int IdleSeconds, int SettleSeconds, int DrainSeconds, int Assigned, bool NoBuild, bool StoreFloor)
{
    public static BenchOptions Parse(string[] args)
    {
        int Int(string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }

        // --assigned [M]: M customers (default 200), all in conversations held by an agent; text messages only unless
        // --status-percent says otherwise.
        var a = Array.IndexOf(args, "--assigned");
        var assigned = a < 0 ? 0 : a + 1 < args.Length && int.TryParse(args[a + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : 200;
        var o = new BenchOptions(Int("--seconds", 10), Int("--warmup", 3), Int("--connections", 64), assigned > 0 ? assigned : Int("--customers", 5000),
            Int("--status-percent", assigned > 0 ? 0 : 20), Int("--rounds", 1), Int("--idle-seconds", 0), Int("--settle-seconds", 30), Int("--drain-seconds", 120), assigned, args.Contains("--no-build"), args.Contains("--store-floor"));
        if (o.Seconds is < 1 or > 600 || o.WarmupSeconds is < 0 or > 120 || o.Connections is < 1 or > 1024 || o.Customers is < 1 or > 99_999_999 || o.StatusPercent is < 0 or > 100 || o.Rounds is < 1 or > 10
            || o.IdleSeconds is < 0 or > 600 || o.SettleSeconds is < 0 or > 600 || o.DrainSeconds is < 1 or > 1800 || (a >= 0 && o.Assigned is < 1 or > 2000))
        {
            throw new ArgumentException("--seconds 1..600, --warmup 0..120, --connections 1..1024, --customers 1..99999999, --status-percent 0..100, --rounds 1..10, --idle-seconds 0..600, " +
                "--settle-seconds 0..600 (before the idle measurement), --drain-seconds 1..1800 (bound of each placement drain), --assigned [1..2000] (customers; replaces --customers), --store-floor");
        }

        return o;
    }
}

/// <summary>
/// The staged rows (<c>staged|…</c> in the contact center's partition of the ledger table): messages the webhook stored
/// that their customer's entity has not placed yet. Counted with Azure.Data.Tables on the bench's Azurite.
/// </summary>
internal sealed class StagedRows(TableClient ledger)
{
    private const string Filter = "PartitionKey eq 'demo' and RowKey ge 'staged|' and RowKey lt 'staged}'";

    /// <summary>The ledger table: the one whose name ends with "ledger" (the prefix is the handler's Storage:TablePrefix).</summary>
    public static async Task<StagedRows> ConnectAsync(string connectionString, TimeSpan timeout)
    {
        var service = new TableServiceClient(connectionString);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await foreach (var table in service.QueryAsync())
            {
                if (table.Name.EndsWith("ledger", StringComparison.Ordinal))
                {
                    Console.WriteLine($"ledger table: {table.Name}");
                    return new StagedRows(service.GetTableClient(table.Name));
                }
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException("No ledger table on the bench's Azurite.");
            }

            await Task.Delay(500);
        }
    }

    private long queries;
    private long queryTicks;

    /// <summary>The count queries so far and their mean duration (each one is work for Azurite too).</summary>
    public string QueryCost => FormattableString.Invariant($"{queries} count queries, mean {(queries == 0 ? 0 : queryTicks * 1000.0 / Stopwatch.Frequency / queries):F1} ms");

    public async Task<int> CountAsync()
    {
        var started = Stopwatch.GetTimestamp();
        var n = 0;
        await foreach (var _ in ledger.QueryAsync<TableEntity>(Filter, maxPerPage: 1000, select: ["RowKey"]))
        {
            n++;
        }

        queries++;
        queryTicks += Stopwatch.GetTimestamp() - started;
        return n;
    }

    /// <summary>
    /// After a webhook phase: polls the staged count until none is left or <paramref name="bound"/> passed — every 3 × the
    /// last count's duration, between 250 ms and 2 s (Azurite scans the table for it: the bench's polls stay a small share
    /// of its core). Placed = staged before + messages answered 200 in the phase − staged after.
    /// </summary>
    public async Task<DrainResult> DrainAsync(LoadResult phase, int before, double loadSeconds, TimeSpan bound, Func<TimeSpan> handlerCpu, Func<TimeSpan> azuriteCpu, string webhookUrl)
    {
        var clock = Stopwatch.StartNew();
        var (h0, a0) = (handlerCpu(), azuriteCpu());
        var redelivered = await RedeliverAsync(webhookUrl, phase.FailedMessages, bound);
        var counted = Stopwatch.GetTimestamp();
        var atEnd = await CountAsync();
        var left = atEnd;
        while (left > 0 && clock.Elapsed < bound)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(3 * Stopwatch.GetElapsedTime(counted).TotalMilliseconds, 250, 2000)));
            counted = Stopwatch.GetTimestamp();
            left = await CountAsync();
        }

        var seconds = clock.Elapsed.TotalSeconds;
        return new DrainResult(phase.Name, phase.MessagesOk + redelivered, before, atEnd, left, loadSeconds, left == 0 ? seconds : double.NaN, seconds,
            100 * (handlerCpu() - h0).TotalSeconds / seconds, 100 * (azuriteCpu() - a0).TotalSeconds / seconds, phase.FailedMessages.Count, redelivered);
    }

    /// <summary>Meta's retry: each message not answered 200 is posted again until it is (bounded); returns how many were.</summary>
    private static async Task<int> RedeliverAsync(string webhookUrl, IReadOnlyList<(byte[] Body, string? Signature)> failed, TimeSpan bound)
    {
        if (failed.Count == 0)
        {
            return 0;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var clock = Stopwatch.StartNew();
        var delivered = 0;
        foreach (var (body, signature) in failed)
        {
            while (clock.Elapsed < bound)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, webhookUrl) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", signature);
                try
                {
                    using var response = await http.SendAsync(request);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        delivered++;
                        break;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                }

                await Task.Delay(500);
            }
        }

        return delivered;
    }
}

internal sealed record DrainResult(string Name, long Staged, int Before, int AtEnd, int Left, double LoadSeconds, double DrainSeconds, double WaitedSeconds, double HandlerCpu, double AzuriteCpu, int Failed, int Redelivered)
{
    public double PlacedDuringLoad => (Before + Staged - AtEnd) / LoadSeconds;

    public double PlacedOverall => (Before + Staged - Left) / (LoadSeconds + WaitedSeconds);

    public string Summary() =>
        FormattableString.Invariant($"{Name} placement: {Staged} messages staged, {AtEnd} not placed when the load stopped, ") +
        (Failed == 0 ? "" : FormattableString.Invariant($"{Failed} not answered 200 delivered again ({Redelivered} answered 200), ")) +
        (Left == 0 ? FormattableString.Invariant($"all placed {DrainSeconds:F1} s later") : FormattableString.Invariant($"{Left} still staged after {WaitedSeconds:F0} s (the bound)")) +
        FormattableString.Invariant($"; {PlacedDuringLoad:F0} placed/s during the load, {PlacedOverall:F0}/s over load + drain");

    public string Row() => string.Create(CultureInfo.InvariantCulture,
        $"| {Name} | {Staged} | {PlacedDuringLoad:F0} | {AtEnd} | {(Left == 0 ? DrainSeconds.ToString("F1", CultureInfo.InvariantCulture) : "> " + WaitedSeconds.ToString("F0", CultureInfo.InvariantCulture))} | {PlacedOverall:F0} | {HandlerCpu:F0} | {AzuriteCpu:F0} | {Left} |");
}

/// <summary>
/// --assigned: agents with room for every customer (ana and bruno, seeded available, raised to 100 conversations each
/// through the admin API as supervisor carla; more bench agents, made available, when M is above 200), then each of the M
/// customers writes once: a waiting conversation each, which the router gives to an agent. Done when the agents hold M
/// conversations and nothing is left staged (bounded).
/// </summary>
internal static class Assigned
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task PrepareAsync(string baseUrl, string appSecret, int customers, StagedRows staged)
    {
        var clock = Stopwatch.StartNew();
        using var carla = await LoginAsync(baseUrl, "carla");
        var agents = new List<(string Id, string Name)> { ("ana", "Ana Souza"), ("bruno", "Bruno Lima") };
        for (var i = 3; agents.Count * 100 < customers; i++)
        {
            agents.Add(("webhookbench" + i.ToString("D2", CultureInfo.InvariantCulture), "Webhook Bench " + i));
        }

        foreach (var (id, name) in agents)
        {
            await SendAsync(carla, HttpMethod.Put, $"/api/agent/admin/agents/{id}", new { name, role = "agent", maxConcurrent = 100 });
            using var agent = await LoginAsync(baseUrl, id);
            await SendAsync(agent, HttpMethod.Post, "/api/agent/me/status", new { available = true });
        }

        // Each customer's first message: the same numbers the load uses (Traffic: 55119 + 8 digits).
        var first = new Traffic(appSecret, customers, 0);
        using var webhook = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
        using var gate = new SemaphoreSlim(8);
        await Task.WhenAll(Enumerable.Range(0, customers).Select(async c =>
        {
            await gate.WaitAsync();
            try
            {
                var (body, signature, _) = first.For(c, signed: true);
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/whatsapp/webhook") { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", signature);
                using var response = await webhook.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"customer {c}'s first message: {(int)response.StatusCode}");
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        Console.WriteLine($"assigned: {customers} customers wrote once in {clock.Elapsed.TotalSeconds:F1} s; waiting until agents hold {customers} conversations …");

        var held = 0;
        var left = -1;
        while (clock.Elapsed < TimeSpan.FromSeconds(240))
        {
            using (var response = await carla.GetAsync("/api/agent/admin/agents"))
            {
                response.EnsureSuccessStatusCode();
                using var list = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                held = list.RootElement.GetProperty("agents").EnumerateArray().Sum(a => a.GetProperty("open").GetInt32());
            }

            left = await staged.CountAsync();
            if (held >= customers && left == 0)
            {
                Console.WriteLine($"assigned: agents hold {held} conversations, nothing staged, after {clock.Elapsed.TotalSeconds:F1} s ({string.Join(", ", agents.Select(a => a.Id))})");
                return;
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"--assigned: after 240 s the agents hold {held} of {customers} conversations and {left} messages are still staged.");
    }

    private static async Task<HttpClient> LoginAsync(string baseUrl, string agentId)
    {
        var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
        using var response = await http.PostAsync("/api/dev/token", new StringContent(JsonSerializer.Serialize(new { agentId }, Json), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            http.Dispose();
            throw new InvalidOperationException($"dev token for {agentId}: {(int)response.StatusCode} {text}");
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JsonDocument.Parse(text).RootElement.GetProperty("accessToken").GetString());
        return http;
    }

    private static async Task SendAsync(HttpClient http, HttpMethod method, string url, object body)
    {
        using var request = new HttpRequestMessage(method, url) { Content = new StringContent(JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
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

    /// <summary>The next body: a random customer; a status or a text message by <c>statusPercent</c>.</summary>
    public (byte[] Body, string? Signature, bool Message) Next(bool signed) =>
        Build(Random.Shared.Next(customers), Random.Shared.Next(100) < statusPercent, signed);

    /// <summary>A text message from customer number <paramref name="customer"/> (0-based, below <c>customers</c>).</summary>
    public (byte[] Body, string? Signature, bool Message) For(int customer, bool signed) => Build(customer, isStatus: false, signed);

    private (byte[] Body, string? Signature, bool Message) Build(int customerIndex, bool isStatus, bool signed)
    {
        var n = Interlocked.Increment(ref counter);
        var random = Random.Shared;
        var customer = "55119" + customerIndex.ToString("D8", CultureInfo.InvariantCulture);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        string json;
        if (isStatus)
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
        return (body, signed ? "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, body)) : null, !isStatus);
    }
}

internal sealed class LoadResult(string name, long[] latencyTicks, long requests, long errors, double seconds, Dictionary<int, long> codes, TimeSpan handlerCpu, TimeSpan storeCpu, TimeSpan benchCpu, long messagesOk,
    IReadOnlyList<(byte[] Body, string? Signature)> failedMessages)
{
    /// <summary>Text messages not answered 200 (warm-up included): delivered again after the phase, as Meta does.</summary>
    public IReadOnlyList<(byte[] Body, string? Signature)> FailedMessages => failedMessages;

    public string Name => name;
    public long Errors => errors;
    /// <summary>Text messages answered 200 over the warm-up and the measured window (each one staged, to be placed).</summary>
    public long MessagesOk => messagesOk;
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

/// <summary>
/// --store-floor: the webhook's two storage calls for a text message — the batch inserting the wamid row and the staged row,
/// then the entity signal's enqueue (a control-queue message of the same size) — issued straight at the bench's Azurite by
/// the same closed loop, without the handler, while nothing else is running (after the drain). The webhook's 200 cannot be
/// faster than this on the machine: the floor under its latency, the ceiling over its throughput.
/// </summary>
internal sealed class StoreFloor(TableClient table, QueueClient queue)
{
    private static readonly string Text = "Olá! Preciso de ajuda com meu pedido 12345, chegou com defeito 😕 — podem me ligar?";
    private long n;

    public static async Task<StoreFloor> CreateAsync(string connectionString)
    {
        var table = new TableClient(connectionString, "benchfloor");
        await table.CreateIfNotExistsAsync();
        var queue = new QueueClient(connectionString, "benchfloor");
        await queue.CreateIfNotExistsAsync();
        return new StoreFloor(table, queue);
    }

    public async Task DeleteAsync()
    {
        await table.DeleteAsync();
        await queue.DeleteAsync();
    }

    public async Task<LoadResult> RunAsync(string name, BenchOptions options, Func<TimeSpan> handlerCpu, Func<TimeSpan> storeCpu, bool batch, bool enqueue)
    {
        Console.WriteLine(FormattableString.Invariant($"{name}: warm-up {options.WarmupSeconds} s, then {options.Seconds} s (the webhook's batch and enqueue straight at Azurite)"));
        var (measureFrom, measureTo) = LoadRun.Window(options);
        var cpu = LoadRun.MeasuredCpuAsync(measureFrom, options, handlerCpu, storeCpu);
        var perWorker = await Task.WhenAll(Enumerable.Range(0, options.Connections).Select(worker => Task.Run(async () =>
        {
            var latencies = new List<long>(16 * 1024);
            long errors = 0;
            while (true)
            {
                var id = Interlocked.Increment(ref n).ToString(CultureInfo.InvariantCulture);
                var sent = Stopwatch.GetTimestamp();
                if (sent >= measureTo)
                {
                    break;
                }

                var ok = true;
                try
                {
                    var wamid = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjfloor" + id;
                    if (batch)
                    {
                        await table.SubmitTransactionAsync(
                        [
                            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("demo", "wamid|" + wamid) { ["Direction"] = "in", ["ChannelId"] = "whatsapp-100200300400500", ["CustomerKey"] = "5511987654321" }),
                            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("demo", "staged|" + wamid)
                            {
                                ["ChannelId"] = "whatsapp-100200300400500", ["CustomerKey"] = "5511987654321", ["Wamid"] = wamid, ["WaId"] = "5511987654321",
                                ["UserId"] = "BR.5511987654321", ["ProfileName"] = "Cliente 4321", ["At"] = DateTimeOffset.UtcNow, ["Kind"] = "text",
                                ["DisplayText"] = Text, ["Body"] = Text,
                            }),
                        ]);
                    }

                    if (enqueue)
                    {
                        // DTFx's entity signal: a JSON envelope of the operation and its input, about 1 KB, base64 like DTFx's.
                        await queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(new string('x', 700) + wamid + Text)));
                    }
                }
                catch (Azure.RequestFailedException)
                {
                    ok = false;
                }

                var done = Stopwatch.GetTimestamp();
                if (sent >= measureFrom)
                {
                    if (ok)
                    {
                        latencies.Add(done - sent);
                    }
                    else
                    {
                        errors++;
                    }
                }
            }

            return (latencies, errors);
        })));
        var all = perWorker.SelectMany(w => w.latencies).ToArray();
        Array.Sort(all);
        var (handlerTime, storeTime, benchTime) = await cpu;
        var failed = perWorker.Sum(w => w.errors);
        return new LoadResult(name, all, all.Length + failed, failed, options.Seconds, [], handlerTime, storeTime, benchTime, 0, []);
    }
}

internal static class LoadRun
{
    /// <summary>The measured window of a phase starting now: after the warm-up, for the phase's seconds (monotonic clock).</summary>
    public static (long From, long To) Window(BenchOptions options)
    {
        var from = Stopwatch.GetTimestamp() + (long)(options.WarmupSeconds * (double)Stopwatch.Frequency);
        return (from, from + (long)(options.Seconds * (double)Stopwatch.Frequency));
    }

    /// <summary>CPU time of the handler, of Azurite and of this process over the measured window only.</summary>
    public static Task<(TimeSpan Handler, TimeSpan Store, TimeSpan Bench)> MeasuredCpuAsync(long measureFrom, BenchOptions options, Func<TimeSpan> handlerCpu, Func<TimeSpan> storeCpu) => Task.Run(async () =>
    {
        var wait = measureFrom - Stopwatch.GetTimestamp();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency));
        }

        var (h0, s0, b0) = (handlerCpu(), storeCpu(), Process.GetCurrentProcess().TotalProcessorTime);
        await Task.Delay(TimeSpan.FromSeconds(options.Seconds));
        return (handlerCpu() - h0, storeCpu() - s0, Process.GetCurrentProcess().TotalProcessorTime - b0);
    });

    public static async Task<LoadResult> RunAsync(string name, string url, BenchOptions options, Func<TimeSpan> handlerCpu, Func<TimeSpan> storeCpu, Func<int, (byte[] Body, string? Signature, bool Message)> next)
    {
        Console.WriteLine(FormattableString.Invariant($"{name}: warm-up {options.WarmupSeconds} s, then {options.Seconds} s (monotonic clock {Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency:F3} s)"));
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
            var (measureFrom, measureTo) = Window(options);
            var codes = new System.Collections.Concurrent.ConcurrentDictionary<int, long>();
            long messagesOk = 0;
            var failedMessages = new System.Collections.Concurrent.ConcurrentBag<(byte[] Body, string? Signature)>();
            var cpu = MeasuredCpuAsync(measureFrom, options, handlerCpu, storeCpu);
            var perWorker = await Task.WhenAll(clients.Select((client, worker) => Task.Run(async () =>
            {
                var latencies = new List<long>(64 * 1024);
                long errors = 0;
                while (true)
                {
                    var (body, signature, message) = next(worker);
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
                    if (message && code == 200)
                    {
                        Interlocked.Increment(ref messagesOk);
                    }
                    else if (message)
                    {
                        // Meta delivers a webhook again until it gets a 200: the drain does (a 503's row may be staged already).
                        failedMessages.Add((body, signature));
                    }

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
            return new LoadResult(name, all, all.Length + perWorker.Sum(w => w.errors), perWorker.Sum(w => w.errors), options.Seconds, new Dictionary<int, long>(codes), handlerTime, storeTime, benchTime, Interlocked.Read(ref messagesOk), [.. failedMessages]);
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
