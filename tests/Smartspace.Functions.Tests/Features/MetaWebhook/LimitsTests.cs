using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Smartspace.Functions.Features.MetaWebhook;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Meta.Signing;
using static Smartspace.Functions.Tests.Features.MetaWebhook.WebhookJson;

namespace Smartspace.Functions.Tests.Features.MetaWebhook;

/// <summary>Bad input is refused with a reason and never a 500; bodies over 3 MiB are 413; unknown business numbers are acknowledged and counted.</summary>
public sealed class LimitsTests : IDisposable
{
    private const string Customer = "5511987654321";
    private readonly HandlerFactory factory = new();

    [Fact]
    public async Task P3_UnknownPhoneNumberId_Is200CountedAndStoresNothing()
    {
        var before = await factory.SnapshotAsync();
        var at = factory.Clock.GetUtcNow();

        await (await factory.PostWebhookAsync(SingleMessage(Customer, TextMessage(Customer, "wamid.NOCHANNEL", at, "oi"), phoneNumberId: "999999999999999"))).AssertOkAsync();
        await (await factory.PostWebhookAsync(SingleStatus(Status("wamid.X", "read", at, Customer), "999999999999999"))).AssertOkAsync();

        Assert.Equal(2, factory.Get<WebhookMetrics>().UnknownChannelCount);
        Assert.Equal(before, await factory.SnapshotAsync());
    }

    /// <summary>A signed, valid webhook padded with whitespace to exactly <paramref name="size"/> bytes.</summary>
    private byte[] PaddedBody(int size)
    {
        var json = Encoding.UTF8.GetBytes(SingleMessage(Customer, TextMessage(Customer, "wamid.BIG", factory.Clock.GetUtcNow(), "grande")));
        var body = new byte[size];
        body.AsSpan().Fill((byte)' ');
        json.AsSpan(0, json.Length - 1).CopyTo(body);
        body[^1] = (byte)'}';
        return body;
    }

    private async Task<HttpResponseMessage> PostAsync(byte[] body, bool chunked)
    {
        HttpContent content = chunked ? new StreamContent(new UnknownLengthStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/whatsapp/webhook") { Content = content };
        request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", MetaSignature.Compute(HandlerFactory.AppSecret, body));
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        return await factory.CreateClient().SendAsync(request);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task P2_BodyOver3MiB_Is413AndStoresNothing(bool chunked)
    {
        var response = await PostAsync(PaddedBody(WhatsAppWebhook.MaxBodyBytes + 1), chunked);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, await factory.CountAsync("wamid|"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task P2_BodyOfExactly3MiB_IsAccepted(bool chunked)
    {
        var response = await PostAsync(PaddedBody(WhatsAppWebhook.MaxBodyBytes), chunked);

        await response.AssertOkAsync();
        await factory.WaitForPlacementAsync(); // posted through a client of its own: the message is placed after the 200
        Assert.Equal(1, await factory.CountAsync("wamid|"));
    }

    public static TheoryData<string> Malformed => new()
    {
        "",
        "   ",
        "not json",
        "{",
        "{}",
        "[]",
        "null",
        "\"whatsapp_business_account\"",
        "{\"object\":\"page\",\"entry\":[]}",
        "{\"object\":\"whatsapp_business_account\"}",
        "{\"object\":\"whatsapp_business_account\",\"entry\":{}}",
        "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"messages\"}]}]}",
        "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\"}}]}]}",
        "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":7,\"value\":{}}]}]}",
        "{\"object\":\"whatsapp_business_account\",\"entry\":[]} trailing",
        "{\"object\":\"whatsapp_business_account\",\"entry\":[],}",
        "{\"object\":\"whatsapp_business_account\",\"entry\":[]} // comment",
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task P2_MalformedOrEmptyEnvelope_Is400WithAReasonAndStoresNothing(string json)
    {
        var before = await factory.SnapshotAsync();

        var response = await factory.PostWebhookAsync(json);

        await AssertBadRequestAsync(response);
        Assert.Equal(before, await factory.SnapshotAsync());
    }

    public static TheoryData<string, string, string> WrongTypes => new()
    {
        { "timestamp not a number", "\"timestamp\":\"TS\"", "\"timestamp\":\"yesterday\"" },
        { "timestamp negative", "\"timestamp\":\"TS\"", "\"timestamp\":\"-5\"" },
        { "id as object", "\"id\":\"wamid.WT\"", "\"id\":{\"x\":1}" },
        { "id missing", "\"id\":\"wamid.WT\",", "" },
        { "type missing", "\"type\":\"text\",", "" },
        { "text body as number", "\"body\":\"oi\"", "\"body\":42" },
        { "messages as string", "\"messages\":[", "\"messages\":\"oops\",\"x\":[" },
        { "contacts as number", "\"contacts\":[{", "\"contacts\":5,\"y\":[{" },
        { "phone_number_id missing", "\"phone_number_id\":\"100200300400500\"", "\"phone_id\":\"100200300400500\"" },
        { "metadata as array", "\"metadata\":{\"display_phone_number\":\"551140001234\",\"phone_number_id\":\"100200300400500\"}", "\"metadata\":[]" },
        { "entry id boolean", "\"id\":\"200300400500600\"", "\"id\":true" },
        { "profile name number", "\"name\":\"Maria Cliente\"", "\"name\":5" },
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public async Task P2_WrongTypesOrMissingRequiredFields_Are400WithAReasonAndStoreNothing(string because, string find, string replace)
    {
        var at = factory.Clock.GetUtcNow();
        var valid = SingleMessage(Customer, TextMessage(Customer, "wamid.WT", at, "oi")).Replace("\"" + at.ToUnixTimeSeconds() + "\"", "\"TS\"", StringComparison.Ordinal);
        Assert.Contains(find, valid, StringComparison.Ordinal);
        var json = valid.Replace(find, replace, StringComparison.Ordinal).Replace("\"TS\"", "\"" + at.ToUnixTimeSeconds() + "\"", StringComparison.Ordinal);
        var before = await factory.SnapshotAsync();

        var response = await factory.PostWebhookAsync(json);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, because + ": " + response.StatusCode);
        await AssertBadRequestAsync(response);
        Assert.Equal(before, await factory.SnapshotAsync());
    }

    [Fact]
    public async Task P2_InvalidUtf8_Is400()
    {
        var json = Encoding.UTF8.GetBytes(SingleMessage(Customer, TextMessage(Customer, "wamid.UTF", factory.Clock.GetUtcNow(), "XX")));
        var at = Encoding.UTF8.GetString(json).IndexOf("XX", StringComparison.Ordinal);
        json[at] = 0xC3;
        json[at + 1] = 0x28;

        var response = await factory.PostWebhookAsync(json, MetaSignature.Compute(HandlerFactory.AppSecret, json));

        await AssertBadRequestAsync(response);
        Assert.Equal(0, await factory.CountAsync("wamid|"));
    }

    [Fact]
    public async Task P7_MutatedValidPayloads_NeverGiveA500()
    {
        var at = factory.Clock.GetUtcNow();
        var seeds = new[]
        {
            SingleMessage(Customer, TextMessage(Customer, "wamid.FZ1", at, "Olá, ação 😀")),
            SingleMessage(Customer, Message(Customer, "wamid.FZ2", at, "image", "\"image\":{\"caption\":\"c\",\"mime_type\":\"image/jpeg\",\"sha256\":\"x\",\"id\":\"9\"}")),
            SingleMessage(Customer, Message(Customer, "wamid.FZ3", at, "location", "\"location\":{\"latitude\":-23.5,\"longitude\":-46.6,\"name\":\"n\"}")),
            SingleMessage(Customer, Message(Customer, "wamid.FZ4", at, "interactive", "\"interactive\":{\"type\":\"list_reply\",\"list_reply\":{\"id\":\"a\",\"title\":\"b\"}}")),
            SingleStatus(Status("wamid.FZ5", "failed", at, Customer, "abc.1", Reengagement131047)),
            TemplateStatus("retomada_atendimento", "APPROVED"),
        };
        var random = new Random(20261124);
        var fragments = new[] { "null", "0", "-1", "1e400", "\"\"", "[]", "{}", "true", "\"\\u0000\"", "\"\\ud800\"", "99999999999999999999", "\"x\"", "{\"a\":[[[[]]]]}" };
        var statuses = new Dictionary<HttpStatusCode, int>();

        for (var i = 0; i < 300; i++)
        {
            var text = seeds[random.Next(seeds.Length)];
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                text = Mutate(text, random, fragments);
            }

            var body = Encoding.UTF8.GetBytes(text);
            var response = await factory.PostWebhookAsync(body, MetaSignature.Compute(HandlerFactory.AppSecret, body));
            statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest,
                $"iteration {i}: {(int)response.StatusCode} for {text} → {await response.Content.ReadAsStringAsync()}");
        }

        // The loop must have exercised both outcomes.
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.OK) > 10 && statuses.GetValueOrDefault(HttpStatusCode.BadRequest) > 10, string.Join(", ", statuses));
    }

    private static string Mutate(string text, Random random, string[] fragments)
    {
        var at = random.Next(text.Length);
        switch (random.Next(6))
        {
            case 0:
                return text.Remove(at, 1);
            case 1:
                return text.Insert(at, ((char)random.Next(32, 127)).ToString());
            case 2:
                return text[..at];
            case 3:
            {
                // Replace a JSON string or number value with another JSON value.
                var colon = text.IndexOf(':', at);
                if (colon < 0)
                {
                    return text;
                }

                var end = colon + 1;
                if (end < text.Length && text[end] == '"')
                {
                    end = text.IndexOf('"', end + 1) + 1;
                }
                else
                {
                    while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] is '-' or '.'))
                    {
                        end++;
                    }
                }

                return end <= colon ? text : text[..(colon + 1)] + fragments[random.Next(fragments.Length)] + text[end..];
            }

            case 4:
            {
                // Drop a "key":value pair up to the next comma.
                var quote = text.IndexOf("\"", at, StringComparison.Ordinal);
                var comma = quote < 0 ? -1 : text.IndexOf(',', quote);
                return comma < 0 ? text : text.Remove(quote, comma - quote + 1);
            }

            default:
            {
                var length = Math.Min(random.Next(1, 40), text.Length - at);
                return text.Insert(at, text.Substring(at, length));
            }
        }
    }

    private static async Task AssertBadRequestAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        var json = System.Text.Json.JsonDocument.Parse(text).RootElement;
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("detail").GetString()), text);
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("reason").GetString()), text);
    }

    public void Dispose() => factory.Dispose();

    /// <summary>A read-only stream that does not tell its length, so the request goes out chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : Stream
    {
        private int position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(count, Math.Min(data.Length - position, 16 * 1024));
            Array.Copy(data, position, buffer, offset, n);
            position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
