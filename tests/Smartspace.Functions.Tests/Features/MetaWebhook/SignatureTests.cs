using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Meta.Options;
using Smartspace.Meta.Signing;

namespace Smartspace.Functions.Tests.Features.MetaWebhook;

/// <summary>P2: X-Hub-Signature-256 over the raw bytes with the app secret; anything else is 401 and changes nothing.</summary>
public sealed class SignatureTests : IDisposable
{
    private const string Customer = "5511987654321";
    private readonly HandlerFactory factory = new();

    private byte[] Body(string text = "Oi, preciso de ajuda", string wamid = "wamid.SIG1") =>
        Encoding.UTF8.GetBytes(WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, wamid, factory.Clock.GetUtcNow(), text)));

    private static string Hex(byte[] mac, bool upper = false) => upper ? Convert.ToHexString(mac) : Convert.ToHexStringLower(mac);

    private static readonly Dictionary<string, Func<byte[], string?>> Signers = new()
    {
        ["wrong secret"] = body => MetaSignature.Compute("another-app-secret", body),
        // A check that accepted any upper-case signature would pass every other row: the right hex is accepted in capitals, a wrong one is not.
        ["wrong secret, upper-case hex"] = body => "sha256=" + Hex(HMACSHA256.HashData(Encoding.UTF8.GetBytes("another-app-secret"), body), upper: true),
        ["body changed, upper-case hex"] = body => "sha256=" + Hex(HMACSHA256.HashData(Encoding.UTF8.GetBytes(HandlerFactory.AppSecret), body.Append((byte)' ').ToArray()), upper: true),
        ["header missing"] = _ => null,
        ["empty header"] = _ => "",
        ["sha1 prefix with a valid sha1 HMAC"] = body => "sha1=" + Hex(HMACSHA1.HashData(Encoding.UTF8.GetBytes(HandlerFactory.AppSecret), body)),
        ["sha1 prefix with the right sha256 hex"] = body => "sha1=" + MetaSignature.Compute(HandlerFactory.AppSecret, body)["sha256=".Length..],
        ["no prefix, right hex"] = body => MetaSignature.Compute(HandlerFactory.AppSecret, body)["sha256=".Length..],
        ["prefix in capitals"] = body => "SHA256=" + MetaSignature.Compute(HandlerFactory.AppSecret, body)["sha256=".Length..],
        ["prefix only"] = _ => "sha256=",
        ["truncated hex"] = body => MetaSignature.Compute(HandlerFactory.AppSecret, body)[..^2],
        ["hex with one extra byte"] = body => MetaSignature.Compute(HandlerFactory.AppSecret, body) + "00",
        ["not hex"] = _ => "sha256=" + new string('z', 64),
        ["signature of an empty body"] = _ => MetaSignature.Compute(HandlerFactory.AppSecret, []),
        ["HMAC keyed with the verify token"] = body => MetaSignature.Compute(HandlerFactory.VerifyToken, body),
    };

    public static TheoryData<string> BadSignatures => new(Signers.Keys);

    [Theory]
    [MemberData(nameof(BadSignatures))]
    public async Task P2_BadSignature_Is401AndStoresNothing(string signer)
    {
        var before = await factory.SnapshotAsync();
        var body = Body();

        var response = await factory.PostWebhookAsync(body, Signers[signer](body));

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, signer + ": " + response.StatusCode);
        Assert.Equal(before, await factory.SnapshotAsync());
    }

    [Fact]
    public async Task P2_BodyChangedByOneByte_Is401AndStoresNothing()
    {
        var before = await factory.SnapshotAsync();
        var body = Body("Oi, preciso de ajuda");
        var signature = MetaSignature.Compute(HandlerFactory.AppSecret, body);
        var tampered = (byte[])body.Clone();
        var at = Encoding.UTF8.GetString(body).IndexOf("preciso", StringComparison.Ordinal);
        tampered[at] = (byte)'P';

        var response = await factory.PostWebhookAsync(tampered, signature);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(before, await factory.SnapshotAsync());
    }

    [Fact]
    public async Task P2_UppercaseHex_IsAccepted()
    {
        // Meta sends lowercase; hex is case-insensitive by definition, and the MAC is still compared in full.
        var body = Body();
        var upper = "sha256=" + Hex(HMACSHA256.HashData(Encoding.UTF8.GetBytes(HandlerFactory.AppSecret), body), upper: true);

        var response = await factory.PostWebhookAsync(body, upper);

        await response.AssertOkAsync();
        Assert.Equal(1, await factory.CountAsync("wamid|"));
    }

    [Theory]
    [InlineData("Olá, não recebi a segunda via — poderia reenviar? Obrigada! 😀👍🏽")]
    [InlineData("ação, coração, pão, maçã: ÁÉÍÓÚ âêô ãõ ç")]
    [InlineData("👨‍👩‍👧‍👦 família 🇧🇷")]
    public async Task P2_AccentedAndEmojiBody_SignedOverRawBytes_IsAcceptedAndStoredExactly(string text)
    {
        var body = Body(text);

        var response = await factory.PostWebhookAsync(body, MetaSignature.Compute(HandlerFactory.AppSecret, body));

        await response.AssertOkAsync();
        var conversation = await factory.CurrentConversationAsync(Customer);
        Assert.Equal(text, Assert.Single(await factory.MessagesAsync(conversation.ConversationId)).DisplayText);
    }

    [Fact]
    public async Task P2_EscapedUnicodeBody_IsVerifiedOnTheBytesAsReceived()
    {
        // Meta may escape non-ASCII ("\u00e1"); re-serialising would write "á" and change the bytes.
        var json = WebhookJson.SingleMessage(Customer, WebhookJson.TextMessage(Customer, "wamid.ESC1", factory.Clock.GetUtcNow(), "PLACEHOLDER"))
            .Replace("PLACEHOLDER", "Ol\\u00e1, n\\u00e3o recebi \\ud83d\\ude00 \\/ \\\"ok\\\"", StringComparison.Ordinal);
        var raw = Encoding.UTF8.GetBytes(json);
        var reserialised = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(JsonDocument.Parse(raw).RootElement, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        Assert.NotEqual(raw, reserialised);

        var signedOverReserialised = await factory.PostWebhookAsync(raw, MetaSignature.Compute(HandlerFactory.AppSecret, reserialised));
        Assert.Equal(HttpStatusCode.Unauthorized, signedOverReserialised.StatusCode);
        Assert.Equal(0, await factory.CountAsync("wamid|"));

        var signedOverRaw = await factory.PostWebhookAsync(raw, MetaSignature.Compute(HandlerFactory.AppSecret, raw));
        await signedOverRaw.AssertOkAsync();
        var conversation = await factory.CurrentConversationAsync(Customer);
        Assert.Equal("Olá, não recebi 😀 / \"ok\"", Assert.Single(await factory.MessagesAsync(conversation.ConversationId)).DisplayText);
    }

    [Fact]
    public async Task P2_SignatureHeaderWithSurroundingWhitespace_IsStillVerified()
    {
        var body = Body();
        var response = await factory.PostWebhookAsync(body, MetaSignature.Compute(HandlerFactory.AppSecret, body) + " ");

        await response.AssertOkAsync();
    }

    [Fact]
    public void P2_EmptyAppSecret_HostRefusesToStart()
    {
        using var unsecured = new HandlerFactory(overrides: new Dictionary<string, string?> { ["Meta:AppSecret"] = "" });

        var error = Assert.ThrowsAny<Exception>(() => unsecured.CreateClient());

        var validation = Unwrap<OptionsValidationException>(error);
        Assert.NotNull(validation);
        Assert.Contains(validation.Failures, f => f.Contains("Meta:AppSecret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task P2_EmptyAppSecretPastValidation_EndpointStillRefusesEverything()
    {
        // Defence in depth: even if the start-up validation were bypassed, no secret means no request is trusted.
        using var unsecured = new HandlerFactory(overrides: new Dictionary<string, string?> { ["Meta:AppSecret"] = "" });
        using var host = unsecured.WithWebHostBuilder(b => b.ConfigureServices(s => s.RemoveAll<IValidateOptions<MetaOptions>>()));
        var body = Body();
        var emptyKeyMac = "sha256=" + Hex(HMACSHA256.HashData(Array.Empty<byte>(), body));

        foreach (var signature in new[] { emptyKeyMac, MetaSignature.Compute(HandlerFactory.AppSecret, body), null })
        {
            var response = await unsecured.PostWebhookAsync(body, signature, host.CreateClient());
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var ledger = host.Services.GetRequiredService<Ledger.LedgerStore>();
        Assert.Empty(await ledger.QueryAllAsync(HandlerFactory.TenantId, "wamid|", CancellationToken.None));
    }

    private static T? Unwrap<T>(Exception? error) where T : Exception
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Select(Unwrap<T>).FirstOrDefault(x => x is not null) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }

    public void Dispose() => factory.Dispose();
}
