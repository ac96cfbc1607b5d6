using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CsCheck;
using Smartspace.Core.Meta;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Features.MetaWebhook;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Errors;

/// <summary>
/// Property-based fuzzing (CsCheck) of the webhook and the agent API: thousands of generated bodies, never a
/// 5xx; input that is invalid is a 4xx problem and changes nothing (the ledger and Meta's sends are the same
/// after it as before).
/// </summary>
public sealed class FuzzTests : IDisposable
{
    private const int Threads = 4;
    private readonly HandlerFactory factory = new(overrides: new Dictionary<string, string?> { ["AgentApi:RateLimitPermits"] = "1000000" });

    private static readonly Gen<string> Digits = Gen.Char['0', '9'].Array[0, 16].Select(c => new string(c));

    /// <summary>A webhook body Meta could send (text, status), with generated numbers, ids and text.</summary>
    private static readonly Gen<string> MetaShaped =
        Gen.Select(Gen.Int[0, 2], Digits, Gen.String[0, 30], Gen.Long[0, 4_000_000_000], (kind, from, text, ts) =>
        {
            var at = DateTimeOffset.FromUnixTimeSeconds(ts);
            var wamid = "wamid.FUZZ" + from + text.Length;
            return kind switch
            {
                0 => MetaPayloads.Text(from, wamid, at, text, text),
                1 => MetaPayloads.Status(wamid, text.Length % 2 == 0 ? "read" : text, at, from, "0198c0de00007000800000000000" + from.PadLeft(4, '0')[..4]),
                _ => MetaPayloads.Envelope(HandlerFactory.ChannelId, "\"messages\":[{\"from\":\"" + from + "\",\"id\":\"" + wamid + "\",\"timestamp\":\"" + ts + "\",\"type\":" + System.Text.Json.JsonSerializer.Serialize(text) + "}]"),
            };
        });

    /// <summary>A Meta-shaped body, then one byte-level mutation: none, truncation, deletion, insertion, or a quote turned into a digit.</summary>
    private static readonly Gen<string> WebhookBodies =
        Gen.Select(MetaShaped, Gen.Int[0, 4], Gen.Int.NonNegative, Gen.Char, (body, op, at, c) =>
        {
            var i = at % (body.Length + 1);
            return op switch
            {
                1 => body[..i],
                2 when i < body.Length => body.Remove(i, 1),
                3 => body.Insert(i, c.ToString()),
                4 when body.IndexOf('"', i % body.Length) is >= 0 and var q => body.Remove(q, 1).Insert(q, "7"),
                _ => body,
            };
        });

    [Fact]
    public async Task P2_P7_FuzzedWebhookBodies_NeverA5xx_AndInvalidOnesChangeNothing()
    {
        var client = factory.CreateClient();
        var before = await factory.SnapshotAsync();
        var sent = 0;

        // Bodies the parser refuses: every one a 400 problem, and the ledger untouched.
        await WebhookBodies.Where(b => !WebhookParser.Parse(Encoding.UTF8.GetBytes(b)).IsSuccess).SampleAsync(async body =>
        {
            Interlocked.Increment(ref sent);
            using var response = await factory.PostWebhookAsync(body, client, waitForPlacement: false);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} for {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }, iter: 5_000, threads: Threads);
        Assert.Equal(before, await factory.SnapshotAsync());

        // Any body at all (many of them valid): never a 5xx.
        await WebhookBodies.SampleAsync(async body =>
        {
            Interlocked.Increment(ref sent);
            using var response = await factory.PostWebhookAsync(body, client, waitForPlacement: false);
            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for {body}: {await response.Content.ReadAsStringAsync()}");
        }, iter: 5_000, threads: Threads);
        Assert.Equal(10_000, sent);
        // The valid ones are placed after their 200 (the per-post wait is skipped: 10,000 posts): all of them, once.
        await factory.WaitForPlacementAsync();
    }

    /// <summary>JSON values of every type but a string (for fields that take a string).</summary>
    private static readonly Gen<string> NotAString = Gen.OneOf(
        Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.OneOf("true", "false", "{}", "[]", "[1,\"a\"]", "{\"a\":1}", "1.5e300"));

    /// <summary>Text that is never valid JSON ("x" cannot start a value).</summary>
    private static readonly Gen<string> Garbage = Gen.String[0, 40].Select(s => "x" + s);

    /// <summary>Roots a request record cannot bind to.</summary>
    private static readonly Gen<string> NotAnObject = Gen.OneOf(NotAString.Where(v => !v.StartsWith('{')), Gen.OneOf("null", "\"texto\"", ""));

    private static Gen<string> Truncated(string json) => Gen.Int[0, json.Length - 1].Select(n => json[..n]);

    private static Gen<(string Url, string Body, string MediaType)> AgentRequests(string conversationId)
    {
        var start = Gen.OneOf(
            NotAString.Select(v => "{\"number\":" + v + "}"),
            Gen.String[0, 20].Select(s => "{\"number\":" + System.Text.Json.JsonSerializer.Serialize(s + "x") + "}"),
            NotAString.Where(v => !v.StartsWith('{')).Select(v => "{\"number\":\"11987650001\",\"template\":" + v + "}"),
            Truncated("{\"number\":\"11987650001\",\"template\":{\"name\":\"retomada_atendimento\",\"language\":\"pt_BR\",\"body\":[\"Maria\",\"Smartspace\"]}}"));
        var messages = Gen.OneOf(NotAString.Select(v => "{\"text\":" + v + "}"), Truncated("{\"text\":\"Olá, tudo bem?\"}"));
        var finish = Gen.OneOf(
            NotAString.Select(v => "{\"qualificationId\":" + v + "}"),
            NotAString.Select(v => "{\"description\":" + v + "}"),
            Truncated("{\"qualificationId\":\"duvida\",\"description\":\"ok\"}"));
        var status = Gen.OneOf(
            Gen.OneOf("1", "0", "\"sim\"", "\"true\"", "{}", "[]", "null").Select(v => "{\"available\":" + v + "}"),
            Gen.Const("{}"),
            Truncated("{\"available\":true}"));
        var check = NotAString.Select(v => "{\"number\":" + v + "}");
        var preview = Gen.OneOf(NotAString.Select(v => "{\"name\":" + v + ",\"language\":\"pt_BR\"}"), Truncated("{\"name\":\"confirmacao_pedido\",\"language\":\"pt_BR\"}"));
        var conversation = Desk.Conversations + "/" + conversationId;
        var endpoint = Gen.OneOf(
            start.Select(b => (Desk.Conversations, b)),
            messages.Select(b => (conversation + "/messages", b)),
            Gen.OneOf(messages, finish).Select(b => (conversation + "/templates", b)),
            finish.Select(b => (conversation + "/finish", b)),
            status.Select(b => ("/api/agent/me/status", b)),
            check.Select(b => ("/api/agent/numbers/check", b)),
            preview.Select(b => ($"/api/agent/channels/{HandlerFactory.ChannelId}/templates/preview", b)));
        var body = Gen.Frequency((8, endpoint), (1, Gen.Select(endpoint, Garbage, (e, g) => (e.Item1, g))), (1, Gen.Select(endpoint, NotAnObject, (e, g) => (e.Item1, g))));
        return Gen.Select(body, Gen.Frequency((9, Gen.Const("application/json")), (1, Gen.OneOf("text/plain", "application/xml", ""))), (b, media) => (b.Item1, b.Item2, media));
    }

    [Fact]
    public async Task Errors_FuzzedAgentApiBodies_AreAll4xxProblems_AndChangeNothing()
    {
        var conversationId = (await factory.ClientFor("ana").StartCreatedAsync(Desk.Mobile(1), Desk.Retomada())).ConversationId();
        await WaitForOutboxAsync();
        var sends = factory.Sender.Requests.Count;
        var before = await factory.SnapshotAsync();
        var ana = factory.ClientFor("ana");
        var sent = 0;

        await AgentRequests(conversationId).SampleAsync(async request =>
        {
            using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(request.Body));
            if (request.MediaType.Length > 0)
            {
                content.Headers.ContentType = new MediaTypeHeaderValue(request.MediaType);
            }

            Interlocked.Increment(ref sent);
            using var response = await ana.PostAsync(request.Url, content);
            var status = (int)response.StatusCode;
            Assert.True(status is >= 400 and < 500, $"{status} for POST {request.Url} {request.MediaType} {request.Body}: {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }, iter: 10_000, threads: Threads);

        Assert.Equal(10_000, sent);
        Assert.Equal(before, await factory.SnapshotAsync());
        Assert.Equal(sends, factory.Sender.Requests.Count);
    }

    /// <summary>The template of the start is sent by the outbox; wait until its send is recorded so the snapshot is stable.</summary>
    private async Task WaitForOutboxAsync()
    {
        for (var i = 0; i < 200 && factory.Sender.Requests.IsEmpty; i++)
        {
            await Task.Delay(25);
        }

        Assert.False(factory.Sender.Requests.IsEmpty);
        var snapshot = await factory.SnapshotAsync();
        for (var i = 0; i < 200; i++)
        {
            await Task.Delay(25);
            var next = await factory.SnapshotAsync();
            if (next == snapshot)
            {
                return;
            }

            snapshot = next;
        }
    }

    public void Dispose() => factory.Dispose();
}
