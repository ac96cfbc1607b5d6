using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Smartspace.Core.Templates;
using Smartspace.Meta.Sending;
using Smartspace.Meta.Signing;
using Smartspace.Meta.Tests.Support;

namespace Smartspace.Meta.Tests.Sandbox;

/// <summary>Customer simulator, template catalog and template status webhooks.</summary>
public sealed class SandboxCustomerTests
{
    [Fact]
    public async Task P2_SimulatedCustomerMessage_IsSignedMetaShapedWebhook()
    {
        await using var host = await SandboxHost.StartAsync();

        var answer = await host.SimulateCustomerAsync(new
        {
            phoneNumberId = SandboxHost.PhoneNumberId,
            from = "5511987654321",
            name = "Maria Souza",
            text = "Olá, preciso de ajuda com meu pedido 🙏",
            userId = "BR.1502576394655843",
        });

        var webhook = Assert.Single(await host.Receiver.WaitForAsync(1));
        Assert.Equal(200, answer.GetProperty("webhookStatus").GetInt32());
        Assert.True(MetaSignature.Verify(SandboxHost.AppSecret, webhook.Body, webhook.Signature));
        Assert.Contains("Olá, preciso de ajuda", Encoding.UTF8.GetString(webhook.Body), StringComparison.Ordinal); // raw UTF-8 accents: hash the bytes, not a re-serialisation
        var root = webhook.Json;
        Assert.Equal("whatsapp_business_account", root.GetProperty("object").GetString());
        Assert.Equal("messages", webhook.Field);
        var value = webhook.Value;
        Assert.Equal("whatsapp", value.GetProperty("messaging_product").GetString());
        Assert.Equal(SandboxHost.PhoneNumberId, value.GetProperty("metadata").GetProperty("phone_number_id").GetString());
        Assert.Equal("551130000000", value.GetProperty("metadata").GetProperty("display_phone_number").GetString());
        var contact = value.GetProperty("contacts")[0];
        Assert.Equal("Maria Souza", contact.GetProperty("profile").GetProperty("name").GetString());
        Assert.Equal("5511987654321", contact.GetProperty("wa_id").GetString());
        Assert.Equal("BR.1502576394655843", contact.GetProperty("user_id").GetString());
        var message = value.GetProperty("messages")[0];
        Assert.Equal("5511987654321", message.GetProperty("from").GetString());
        Assert.Equal("BR.1502576394655843", message.GetProperty("from_user_id").GetString());
        Assert.Equal(answer.GetProperty("wamid").GetString(), message.GetProperty("id").GetString());
        Assert.StartsWith("wamid.", message.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.String, message.GetProperty("timestamp").ValueKind);
        Assert.Equal("1795485600", message.GetProperty("timestamp").GetString());
        Assert.Equal("text", message.GetProperty("type").GetString());
        Assert.Equal("Olá, preciso de ajuda com meu pedido 🙏", message.GetProperty("text").GetProperty("body").GetString());
    }

    [Theory]
    [InlineData("image", "image")]
    [InlineData("audio", "audio")]
    [InlineData("document", "document")]
    [InlineData("sticker", "sticker")]
    [InlineData("location", "location")]
    [InlineData("contacts", "contacts")]
    [InlineData("button", "button")]
    [InlineData("interactive", "interactive")]
    [InlineData("reaction", "reaction")]
    [InlineData("edit", "unsupported")]
    public async Task P7_SimulatedTypes_AreMetaShaped(string type, string expectedType)
    {
        await using var host = await SandboxHost.StartAsync();

        await host.SimulateCustomerAsync(new { phoneNumberId = SandboxHost.PhoneNumberId, from = "5511987654321", name = "Maria", text = "👍", type });

        var message = (await host.Receiver.WaitForAsync(1))[0].Value.GetProperty("messages")[0];
        Assert.Equal(expectedType, message.GetProperty("type").GetString());
        Assert.True(message.TryGetProperty(expectedType, out _));
    }

    [Fact]
    public async Task P4_SimulatedMessage_OpensTheWindow()
    {
        await using var host = await SandboxHost.StartAsync();
        await host.SimulateCustomerAsync(new { phoneNumberId = SandboxHost.PhoneNumberId, from = "5511987654321", name = "Maria", text = "Oi" });

        Assert.IsType<SendOutcome.Accepted>(await host.Client.SendTextAsync(SandboxHost.PhoneNumberId, "+5511987654321", "Olá!", "out-1"));

        var statuses = await host.Receiver.WaitForAsync(3, w => w.IsStatus);
        Assert.Equal("sent", statuses[0].Status!.Value.GetProperty("status").GetString());
    }

    [Fact]
    public async Task P2_SimulatorReportsReceiverStatus_AndMetaStyleRetries()
    {
        await using var host = await SandboxHost.StartAsync();
        host.Receiver.NextStatus = 500;

        var answer = await host.SimulateCustomerAsync(new { phoneNumberId = SandboxHost.PhoneNumberId, from = "5511987654321", name = "Maria", text = "Oi" });

        Assert.Equal(500, answer.GetProperty("webhookStatus").GetInt32());
        Assert.Equal(3, host.Receiver.All.Count);
        Assert.Single(host.Receiver.All.Select(w => Convert.ToHexString(w.Body)).Distinct());
    }

    [Fact]
    public async Task P2_SimulatorRejectsBadInput()
    {
        await using var host = await SandboxHost.StartAsync();

        using var response = await host.Http.PostAsJsonAsync("/sandbox/customers/messages", new { from = "abc", text = "" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(host.Receiver.All);
    }

    [Fact]
    public async Task P5_ListTemplates_ServesSeededCatalog_ThroughGraphApiClient()
    {
        await using var host = await SandboxHost.StartAsync();

        var listing = await host.Client.ListTemplatesAsync("102290129340398", CancellationToken.None);
        var templates = listing.Templates;

        Assert.True(listing.Complete);
        Assert.Equal(["retomada_atendimento", "confirmacao_pedido", "aviso_retorno", "oferta_relampago", "pesquisa_satisfacao"], templates.Select(t => t.Name));
        Assert.Equal(host.Sandbox.Templates, templates);
        Assert.Equal(3, templates.Count(t => t.IsSendable));
    }

    [Fact]
    public async Task P5_ListTemplates_PagesWithCursorsAndNext()
    {
        await using var host = await SandboxHost.StartAsync();
        var names = new List<string>();
        var url = "/sandbox/graph/v23.0/102290129340398/message_templates?limit=2&fields=name,status";
        var pages = 0;
        while (url is not null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new("Bearer", SandboxHost.AccessToken);
            using var response = await host.Http.SendAsync(request);
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            pages++;
            names.AddRange(page.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("name").GetString()!));
            Assert.True(page.GetProperty("paging").GetProperty("cursors").TryGetProperty("after", out _));
            url = page.GetProperty("paging").TryGetProperty("next", out var next) ? next.GetString() : null;
        }

        Assert.Equal(3, pages);
        Assert.Equal(5, names.Count);
    }

    [Fact]
    public async Task P5_TemplateStatusChange_EmitsSignedStatusUpdate_AndMakesItSendable()
    {
        await using var host = await SandboxHost.StartAsync();

        using var response = await host.Http.PostAsJsonAsync("/sandbox/templates/oferta_relampago/status", new { status = "APPROVED" });

        response.EnsureSuccessStatusCode();
        var webhook = Assert.Single(await host.Receiver.WaitForAsync(1));
        Assert.True(MetaSignature.Verify(SandboxHost.AppSecret, webhook.Body, webhook.Signature));
        Assert.Equal("message_template_status_update", webhook.Field);
        Assert.Equal(JsonValueKind.Number, webhook.Json.GetProperty("entry")[0].GetProperty("time").ValueKind);
        Assert.Equal("APPROVED", webhook.Value.GetProperty("event").GetString());
        Assert.Equal(1689556908129835, webhook.Value.GetProperty("message_template_id").GetInt64());
        Assert.Equal("oferta_relampago", webhook.Value.GetProperty("message_template_name").GetString());
        Assert.Equal("pt_BR", webhook.Value.GetProperty("message_template_language").GetString());
        Assert.Equal("NONE", webhook.Value.GetProperty("reason").GetString());
        var template = host.Sandbox.FindTemplate("oferta_relampago", "pt_BR")!;
        Assert.Equal(TemplateStatus.Approved, template.Status);
        Assert.IsType<SendOutcome.Accepted>(
            await host.Client.SendTemplateAsync(SandboxHost.PhoneNumberId, "+5511987654321", template, TemplateParameters.Positional("Maria", "10"), "out-1"));
    }

    [Fact]
    public async Task P5_PausingATemplate_MakesSendsFail132015()
    {
        await using var host = await SandboxHost.StartAsync();
        using var response = await host.Http.PostAsJsonAsync("/sandbox/templates/aviso_retorno/status", new { status = "PAUSED", language = "pt_BR" });
        response.EnsureSuccessStatusCode();
        var template = host.Sandbox.FindTemplate("aviso_retorno", "pt_BR")!;

        var rejected = Assert.IsType<SendOutcome.Rejected>(
            await host.Client.SendTemplateAsync(SandboxHost.PhoneNumberId, "+5511987654321", template with { Status = TemplateStatus.Approved }, TemplateParameters.Empty, "out-1"));

        Assert.Equal(132015, rejected.Code);
    }

    [Fact]
    public async Task P2_SandboxDisabled_MapsNoUnsignedFakeEndpoints()
    {
        await using var host = await SandboxHost.StartAsync(sandboxEnabled: false);

        using var response = await host.Http.GetAsync("/sandbox/outbox");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task P7_SandboxPage_IsServed_WithTheSimulatorForm()
    {
        await using var host = await SandboxHost.StartAsync();

        var html = await host.Http.GetStringAsync("/sandbox");

        Assert.Contains("/customers/messages", html, StringComparison.Ordinal);
        Assert.Contains(SandboxHost.PhoneNumberId, html, StringComparison.Ordinal);
    }
}
