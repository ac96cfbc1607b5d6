using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

// OutboundBench: how long another agent's message takes to reach Meta while some Graph calls hang.
// Starts a fake Graph API on a free 127.0.0.1 port (answers every send at once, except sends to the "hung" customers,
// which it never answers: the handler's own 30 s timeout ends them) and the real handler (Release, Azurite, local mode)
// pointed at it. Each round: agent ana starts conversations whose template sends hang (--hung of them); as soon as the
// first of them hangs at the fake Graph API, agent bruno sends a text in his open conversation and starts a new
// conversation with a template; measured: from bruno's POST to the moment the fake Graph API receives that message. A quiet round (no hung call) first gives the reference.
// See bench/README.md.
var options = BenchOptions.Parse(args);
var repo = RepoRoot.Find();
if (Build.LocalHost(repo, options.NoBuild || options.HandlerDll is not null, options.HandlerDll) is not { } handlerDll)
{
    return 2;
}

var work = Build.WorkDirectory("outboundbench");
using var azurite = await BenchAzurite.StartAsync(repo, work);
const string appSecret = "bench-app-secret-0123456789";
var clock = Stopwatch.StartNew();
var graph = await FakeGraph.StartAsync(BenchLocal.FreePort(), clock);
var port = BenchLocal.FreePort();
var baseUrl = $"http://127.0.0.1:{port}";
using var handler = HandlerProcess.Start(handlerDll, work, port, appSecret, azurite,
    new Dictionary<string, string> { ["Meta__GraphBaseUrl"] = graph.BaseUrl }, Environment.GetEnvironmentVariable("OUTBOUNDBENCH_LOG"));
try
{
    await handler.WaitReadyAsync(baseUrl, TimeSpan.FromSeconds(90));
    Console.WriteLine($"handler {handlerDll}\npid {handler.Pid} at {baseUrl}; fake Graph API at {graph.BaseUrl}; {options.Rounds} round(s) with {options.Hung} hung call(s) each");
    using var ana = await Agent.LoginAsync(baseUrl, "ana");
    using var bruno = await Agent.LoginAsync(baseUrl, "bruno");
    using var webhook = new HttpClient { BaseAddress = new Uri(baseUrl) };

    var rows = new List<(string Round, int Hung, string What, double Ms)>();
    var customer = 0;
    string NextNumber() => "1198765" + (++customer).ToString("D4", CultureInfo.InvariantCulture);
    for (var round = 0; round <= options.Rounds; round++)
    {
        var label = round == 0 ? "quiet" : "hung#" + round;
        // Bruno's open conversation: his template reaches Meta, the customer replies (the window opens, R6).
        var brunosCustomer = NextNumber();
        var open = await bruno.StartAsync(brunosCustomer);
        await graph.WaitForAsync(open.MessageId, TimeSpan.FromMinutes(10));
        await CustomerWritesAsync(webhook, appSecret, "55" + brunosCustomer, $"wamid.BENCH.{round}");

        // Ana's sends that hang at Meta: conversations, then more templates in the first one.
        var anas = new List<string>();
        var hungIds = new List<string>();
        for (var i = 0; round > 0 && i < options.Hung; i++)
        {
            if (anas.Count < 3)
            {
                var number = NextNumber();
                graph.Hang("+55" + number);
                var started = await ana.StartAsync(number);
                anas.Add(started.ConversationId);
                hungIds.Add(started.MessageId);
            }
            else
            {
                hungIds.Add(await ana.SendTemplateAsync(anas[0]));
            }
        }

        // At least one call hangs at Meta before Bruno sends (as in the field: the sends come at about the same time).
        if (hungIds.Count > 0)
        {
            await graph.WaitForAsync(hungIds[0], TimeSpan.FromMinutes(10));
        }

        var hungWhenSent = graph.HungNow;
        var textAt = clock.Elapsed;
        var text = await bruno.SendTextAsync(open.ConversationId, "Olá! Em que posso ajudar?");
        var templateAt = clock.Elapsed;
        var fresh = await bruno.StartAsync(NextNumber());
        rows.Add((label, hungWhenSent, "bruno's text", (await graph.WaitForAsync(text, TimeSpan.FromMinutes(10)) - textAt).TotalMilliseconds));
        rows.Add((label, hungWhenSent, "bruno's new conversation (template)", (await graph.WaitForAsync(fresh.MessageId, TimeSpan.FromMinutes(10)) - templateAt).TotalMilliseconds));

        foreach (var id in hungIds)
        {
            await graph.WaitForAsync(id, TimeSpan.FromMinutes(10));
        }

        foreach (var id in anas)
        {
            await ana.FinishAsync(id);
        }

        await bruno.FinishAsync(open.ConversationId);
        await bruno.FinishAsync(fresh.ConversationId);
    }

    Console.WriteLine();
    Console.WriteLine("| round | Graph calls hanging when Bruno sent | message | POST → received by the Graph API, ms |");
    Console.WriteLine("| --- | ---: | --- | ---: |");
    foreach (var (round, hung, what, ms) in rows)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {round} | {hung} | {what} | {ms:F1} |"));
    }

    var hungRows = rows.Where(r => r.Round != "quiet").Select(r => r.Ms).Order().ToList();
    if (hungRows.Count > 0)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"\nwith hung calls: median {hungRows[hungRows.Count / 2]:F1} ms, max {hungRows[^1]:F1} ms over {hungRows.Count} messages; Graph API received {graph.Received} sends, {graph.HungNow} hung at the end"));
    }

    return 0;
}
finally
{
    BenchLocal.CleanUp(handler, work);
    await graph.DisposeAsync();
}

static async Task CustomerWritesAsync(HttpClient webhook, string appSecret, string waId, string wamid)
{
    var json = "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"200300400500600\",\"changes\":[{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\"," +
        "\"metadata\":{\"display_phone_number\":\"551140001234\",\"phone_number_id\":\"100200300400500\"},\"contacts\":[{\"profile\":{\"name\":\"Maria\"},\"wa_id\":\"" + waId + "\"}]," +
        "\"messages\":[{\"from\":\"" + waId + "\",\"id\":\"" + wamid + "\",\"timestamp\":\"" + DateTimeOffset.UtcNow.ToUnixTimeSeconds() + "\",\"type\":\"text\",\"text\":{\"body\":\"Oi, pode falar\"}}]}}]}]}";
    var body = Encoding.UTF8.GetBytes(json);
    using var request = new HttpRequestMessage(HttpMethod.Post, "/api/whatsapp/webhook") { Content = new ByteArrayContent(body) };
    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
    request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body)));
    using var response = await webhook.SendAsync(request);
    response.EnsureSuccessStatusCode();
}

internal sealed record BenchOptions(int Rounds, int Hung, bool NoBuild, string? HandlerDll)
{
    public static BenchOptions Parse(string[] args)
    {
        var rounds = 3;
        var hung = 4;
        var noBuild = false;
        string? dll = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--hung": hung = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--no-build": noBuild = true; break;
                case "--handler-dll": dll = Path.GetFullPath(args[++i]); break;
                default: throw new ArgumentException($"Unknown option {args[i]} (known: --rounds N, --hung N, --no-build, --handler-dll PATH).");
            }
        }

        return new BenchOptions(rounds, hung, noBuild, dll);
    }
}

/// <summary>An agent of the demo contact center, through the agent API with a development token.</summary>
internal sealed class Agent : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient http;

    private Agent(HttpClient http) => this.http = http;

    public static async Task<Agent> LoginAsync(string baseUrl, string agentId)
    {
        var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(5) };
        using var token = await http.PostAsJsonAsync("/api/dev/token", new { agentId });
        token.EnsureSuccessStatusCode();
        var accessToken = (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return new Agent(http);
    }

    private static object Retomada => new { name = "retomada_atendimento", language = "pt_BR", body = new[] { "Maria", "Smartspace" }, headerImageLink = "https://example.com/retomada.png" };

    public async Task<(string ConversationId, string MessageId)> StartAsync(string number)
    {
        var body = await PostAsync("/api/agent/conversations", new { number, template = Retomada });
        return (body.GetProperty("conversation").GetProperty("id").GetString()!, body.GetProperty("messages")[0].GetProperty("id").GetString()!);
    }

    public async Task<string> SendTextAsync(string conversationId, string text) =>
        (await PostAsync($"/api/agent/conversations/{conversationId}/messages", new { text })).GetProperty("message").GetProperty("id").GetString()!;

    public async Task<string> SendTemplateAsync(string conversationId) =>
        (await PostAsync($"/api/agent/conversations/{conversationId}/templates", new { template = Retomada })).GetProperty("message").GetProperty("id").GetString()!;

    public Task FinishAsync(string conversationId) => PostAsync($"/api/agent/conversations/{conversationId}/finish", new { qualificationId = (string?)null });

    private async Task<JsonElement> PostAsync(string url, object body)
    {
        using var response = await http.PostAsJsonAsync(url, body, Json);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {url}: {(int)response.StatusCode} {text}");
        }

        return JsonDocument.Parse(text.Length == 0 ? "{}" : text).RootElement.Clone();
    }

    public void Dispose() => http.Dispose();
}

/// <summary>
/// The Graph API's <c>POST /{version}/{phone-number-id}/messages</c>: records when each message (by
/// <c>biz_opaque_callback_data</c>) arrives; accepts at once, or never answers when the recipient is to hang.
/// </summary>
internal sealed class FakeGraph : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Stopwatch clock;
    private readonly ConcurrentDictionary<string, TimeSpan> arrivals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> hang = new(StringComparer.Ordinal);
    private int received;
    private int hungNow;

    private FakeGraph(WebApplication app, Stopwatch clock, string baseUrl)
    {
        this.app = app;
        this.clock = clock;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public int Received => Volatile.Read(ref received);

    public int HungNow => Volatile.Read(ref hungNow);

    public void Hang(string toE164) => hang[toE164] = true;

    public static async Task<FakeGraph> StartAsync(int port, Stopwatch clock)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var fake = new FakeGraph(app, clock, $"http://127.0.0.1:{port}/graph");
        app.MapPost("/graph/{version}/{phoneNumberId}/messages", fake.SendAsync);
        await app.StartAsync();
        return fake;
    }

    private async Task SendAsync(HttpContext context)
    {
        var at = clock.Elapsed;
        using var doc = await JsonDocument.ParseAsync(context.Request.Body);
        var id = doc.RootElement.GetProperty("biz_opaque_callback_data").GetString()!;
        var to = doc.RootElement.GetProperty("to").GetString()!;
        arrivals.TryAdd(id, at);
        Interlocked.Increment(ref received);
        if (hang.ContainsKey(to))
        {
            Interlocked.Increment(ref hungNow);
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                Interlocked.Decrement(ref hungNow);
            }

            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"" + to + "\",\"wa_id\":\"" + to.TrimStart('+') +
            "\"}],\"messages\":[{\"id\":\"wamid.BENCH" + Guid.NewGuid().ToString("N") + "\",\"message_status\":\"accepted\"}]}");
    }

    /// <summary>When the message with our id <paramref name="ourMessageId"/> arrived (bench clock), waiting for it if needed.</summary>
    public async Task<TimeSpan> WaitForAsync(string ourMessageId, TimeSpan timeout)
    {
        var deadline = clock.Elapsed + timeout;
        while (!arrivals.ContainsKey(ourMessageId))
        {
            if (clock.Elapsed > deadline)
            {
                throw new TimeoutException($"{ourMessageId} never reached the fake Graph API.");
            }

            await Task.Delay(1);
        }

        return arrivals[ourMessageId];
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
