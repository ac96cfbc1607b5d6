using System.Text;
using Smartspace.Core.Templates;
using Smartspace.Meta.Sending;
using Smartspace.Meta.Signing;
using Smartspace.Meta.Tests.Support;

namespace Smartspace.Meta.Tests.Sandbox;

/// <summary>The sandbox answers sends like the Cloud API and reports statuses by signed webhooks.</summary>
public sealed class SandboxSendTests
{
    private const string Customer = "5511987654321";

    private static TemplateParameters RetomadaParameters() =>
        TemplateParameters.Positional("Maria", "Loja X").WithHeaderImageLink("https://cdn.example/banner.jpg");

    [Fact]
    public async Task P3_TextInsideWindow_ReturnsWamid_AndSignedSentDeliveredReadArrive()
    {
        await using var host = await SandboxHost.StartAsync();
        host.Sandbox.RecordInbound(SandboxHost.PhoneNumberId, Customer, host.Time.GetUtcNow());

        var outcome = await host.Client.SendTextAsync(SandboxHost.PhoneNumberId, "+" + Customer, "Olá, tudo bem? 👋", "out-42");

        var accepted = Assert.IsType<SendOutcome.Accepted>(outcome);
        Assert.StartsWith("wamid.HBgN", accepted.Wamid, StringComparison.Ordinal);
        Assert.Equal(Customer, accepted.WaId);
        var statuses = await host.Receiver.WaitForAsync(3, w => w.IsStatus);
        Assert.Equal(["sent", "delivered", "read"], statuses.Select(s => s.Status!.Value.GetProperty("status").GetString()));
        Assert.All(statuses, s =>
        {
            Assert.True(MetaSignature.Verify(SandboxHost.AppSecret, s.Body, s.Signature));
            Assert.Equal(accepted.Wamid, s.Status!.Value.GetProperty("id").GetString());
            Assert.Equal("out-42", s.Status!.Value.GetProperty("biz_opaque_callback_data").GetString());
            Assert.Equal(Customer, s.Status!.Value.GetProperty("recipient_id").GetString());
            Assert.Equal(SandboxHost.PhoneNumberId, s.Value.GetProperty("metadata").GetProperty("phone_number_id").GetString());
        });
        var pricing = statuses[0].Status!.Value.GetProperty("pricing");
        Assert.Equal("free_customer_service", pricing.GetProperty("type").GetString());
        Assert.Equal("service", pricing.GetProperty("category").GetString());
        Assert.Equal("1795485600", statuses[0].Status!.Value.GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task P4_TextWithoutCustomerMessage_Accepted_ThenFailed131047()
    {
        await using var host = await SandboxHost.StartAsync();

        var outcome = await host.Client.SendTextAsync(SandboxHost.PhoneNumberId, "+" + Customer, "Oi", "out-1");

        var accepted = Assert.IsType<SendOutcome.Accepted>(outcome);
        var failed = Assert.Single(await host.Receiver.WaitForAsync(1, w => w.IsStatus));
        var status = failed.Status!.Value;
        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Equal(accepted.Wamid, status.GetProperty("id").GetString());
        Assert.Equal("out-1", status.GetProperty("biz_opaque_callback_data").GetString());
        Assert.Equal(131047, status.GetProperty("errors")[0].GetProperty("code").GetInt32());
        Assert.False(status.TryGetProperty("pricing", out _));
        Assert.True(MetaSignature.Verify(SandboxHost.AppSecret, failed.Body, failed.Signature));
        Assert.Equal("failed", Assert.Single(host.Sandbox.Outbox).Result);
    }

    [Fact]
    public async Task P4_WindowIsOpenAt23h59m59s999_AndClosedAtExactly24h()
    {
        await using var host = await SandboxHost.StartAsync();
        host.Sandbox.RecordInbound(SandboxHost.PhoneNumberId, Customer, host.Time.GetUtcNow());

        host.Time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromMilliseconds(1));
        await host.Client.SendTextAsync(SandboxHost.PhoneNumberId, "+" + Customer, "ainda dentro", "out-in");
        await host.Receiver.WaitForAsync(3, w => w.IsStatus);
        host.Time.Advance(TimeSpan.FromMilliseconds(1));
        await host.Client.SendTextAsync(SandboxHost.PhoneNumberId, "+" + Customer, "fora", "out-out");

        var outStatus = Assert.Single(await host.Receiver.WaitForAsync(1, w => w.IsStatus && w.Status!.Value.GetProperty("biz_opaque_callback_data").GetString() == "out-out"));
        Assert.Equal("failed", outStatus.Status!.Value.GetProperty("status").GetString());
        Assert.All(host.Receiver.All.Where(w => w.IsStatus && w.Status!.Value.GetProperty("biz_opaque_callback_data").GetString() == "out-in"),
            w => Assert.NotEqual("failed", w.Status!.Value.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task P4_WindowIsPerChannel()
    {
        await using var host = await SandboxHost.StartAsync();
        host.Sandbox.RecordInbound("other-channel", Customer, host.Time.GetUtcNow());

        await host.Client.SendTextAsync(SandboxHost.PhoneNumberId, "+" + Customer, "Oi", "out-1");

        var status = Assert.Single(await host.Receiver.WaitForAsync(1, w => w.IsStatus));
        Assert.Equal("failed", status.Status!.Value.GetProperty("status").GetString());
    }

    [Fact]
    public async Task R7_TemplateOutsideWindow_IsDelivered_WithRegularPricing()
    {
        await using var host = await SandboxHost.StartAsync();
        var template = host.Sandbox.FindTemplate("retomada_atendimento", "pt_BR")!;

        var outcome = await host.Client.SendTemplateAsync(SandboxHost.PhoneNumberId, "+" + Customer, template, RetomadaParameters(), "out-t1");

        var accepted = Assert.IsType<SendOutcome.Accepted>(outcome);
        Assert.Equal("accepted", accepted.MessageStatus);
        var statuses = await host.Receiver.WaitForAsync(3, w => w.IsStatus);
        Assert.Equal(["sent", "delivered", "read"], statuses.Select(s => s.Status!.Value.GetProperty("status").GetString()));
        var pricing = statuses[0].Status!.Value.GetProperty("pricing");
        Assert.Equal("regular", pricing.GetProperty("type").GetString());
        Assert.Equal("utility", pricing.GetProperty("category").GetString());
        var record = Assert.Single(host.Sandbox.Outbox);
        Assert.Equal("retomada_atendimento", record.TemplateName);
        Assert.Contains("Olá Maria, aqui é da Loja X.", record.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task R7_NamedTemplate_IsAccepted()
    {
        await using var host = await SandboxHost.StartAsync();
        var template = host.Sandbox.FindTemplate("confirmacao_pedido", "pt_BR")!;
        var parameters = TemplateParameters.Named(new Dictionary<string, string> { ["nome"] = "Maria", ["pedido"] = "#4411" });

        Assert.IsType<SendOutcome.Accepted>(await host.Client.SendTemplateAsync(SandboxHost.PhoneNumberId, "+" + Customer, template, parameters, "out-n"));
    }

    [Fact]
    public async Task R7_UnknownTemplate_Rejected132001()
    {
        await using var host = await SandboxHost.StartAsync();
        var template = host.Sandbox.FindTemplate("retomada_atendimento", "pt_BR")! with { Name = "nao_existe" };

        var rejected = Assert.IsType<SendOutcome.Rejected>(
            await host.Client.SendTemplateAsync(SandboxHost.PhoneNumberId, "+" + Customer, template, RetomadaParameters(), "out-x"));

        Assert.Equal(132001, rejected.Code);
        Assert.Equal(404, rejected.HttpStatus);
        Assert.Equal(Smartspace.Core.Text.PtBr.TemplateNotApproved, rejected.AgentText);
        Assert.Same(RejectionKind.Permanent, rejected.Kind);
        Assert.Equal("template name (nao_existe) does not exist in pt_BR", rejected.Details);
        Assert.Equal("rejected", Assert.Single(host.Sandbox.Outbox).Result);
    }

    [Fact]
    public async Task P5_PendingTemplate_Rejected132001()
    {
        await using var host = await SandboxHost.StartAsync();
        var template = host.Sandbox.FindTemplate("oferta_relampago", "pt_BR")!;

        var rejected = Assert.IsType<SendOutcome.Rejected>(
            await host.Client.SendTemplateAsync(SandboxHost.PhoneNumberId, "+" + Customer, template, TemplateParameters.Positional("Maria", "10"), "out-p"));

        Assert.Equal(132001, rejected.Code);
    }

    [Fact]
    public async Task R7_WrongParameterCount_Rejected132000()
    {
        await using var host = await SandboxHost.StartAsync();
        var template = host.Sandbox.FindTemplate("retomada_atendimento", "pt_BR")!;
        var parameters = TemplateParameters.Positional("Maria").WithHeaderImageLink("https://cdn.example/b.jpg");

        var rejected = Assert.IsType<SendOutcome.Rejected>(
            await host.Client.SendTemplateAsync(SandboxHost.PhoneNumberId, "+" + Customer, template, parameters, "out-c"));

        Assert.Equal(132000, rejected.Code);
        Assert.Equal(400, rejected.HttpStatus);
        Assert.Same(RejectionKind.Permanent, rejected.Kind);
        Assert.Equal("body: number of localizable_params (1) does not match the expected number of params (2)", rejected.Details);
    }

    [Fact]
    public async Task R7_ImageHeaderWithoutImage_Rejected132012()
    {
        await using var host = await SandboxHost.StartAsync();
        var template = host.Sandbox.FindTemplate("retomada_atendimento", "pt_BR")!;

        var rejected = Assert.IsType<SendOutcome.Rejected>(
            await host.Client.SendTemplateAsync(SandboxHost.PhoneNumberId, "+" + Customer, template, TemplateParameters.Positional("Maria", "Loja X"), "out-i"));

        Assert.Equal(132012, rejected.Code);
        Assert.Equal("header: Format mismatch, expected IMAGE, received UNKNOWN", rejected.Details);
    }

    [Fact]
    public async Task R7_NamedTemplate_UnknownName_Rejected132000()
    {
        await using var host = await SandboxHost.StartAsync();
        var template = host.Sandbox.FindTemplate("confirmacao_pedido", "pt_BR")!;
        var parameters = TemplateParameters.Named(new Dictionary<string, string> { ["nome"] = "Maria", ["numero"] = "#4411" });

        var rejected = Assert.IsType<SendOutcome.Rejected>(
            await host.Client.SendTemplateAsync(SandboxHost.PhoneNumberId, "+" + Customer, template, parameters, "out-u"));

        Assert.Equal(132000, rejected.Code);
    }

    [Fact]
    public async Task R6_WrongToken_Rejected190()
    {
        await using var host = await SandboxHost.StartAsync();
        host.Options.AccessToken = "wrong";

        var rejected = Assert.IsType<SendOutcome.Rejected>(await host.Client.SendTextAsync(SandboxHost.PhoneNumberId, "+" + Customer, "Oi", "out-1"));

        Assert.Equal(190, rejected.Code);
        Assert.Equal(401, rejected.HttpStatus);
        Assert.Same(RejectionKind.Permanent, rejected.Kind);
    }

    [Fact]
    public async Task R6_MalformedBodies_AreGraphErrors100()
    {
        await using var host = await SandboxHost.StartAsync();
        async Task<(int Status, string Body)> Post(string json)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/sandbox/graph/v23.0/{SandboxHost.PhoneNumberId}/messages")
            {
                Content = new StringContent(json, Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", SandboxHost.AccessToken);
            using var response = await host.Http.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var missingProduct = await Post("""{"to":"+5511987654321","type":"text","text":{"body":"Oi"}}""");
        var missingBody = await Post("""{"messaging_product":"whatsapp","to":"+5511987654321","type":"text","text":{}}""");
        var missingTo = await Post("""{"messaging_product":"whatsapp","type":"text","text":{"body":"Oi"}}""");

        Assert.All([missingProduct, missingBody, missingTo], r =>
        {
            Assert.Equal(400, r.Status);
            Assert.Contains("\"code\":100", r.Body, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task P6_OldAccount_SendTo13Digits_Answers12DigitWaId()
    {
        await using var host = await SandboxHost.StartAsync(o => o.OldAccountNumbers.Add(Customer));
        var template = host.Sandbox.FindTemplate("retomada_atendimento", "pt_BR")!;

        var accepted = Assert.IsType<SendOutcome.Accepted>(
            await host.Client.SendTemplateAsync(SandboxHost.PhoneNumberId, "+" + Customer, template, RetomadaParameters(), "out-6"));

        Assert.Equal("551187654321", accepted.WaId);
        var sent = (await host.Receiver.WaitForAsync(1, w => w.IsStatus))[0];
        Assert.Equal("551187654321", sent.Status!.Value.GetProperty("recipient_id").GetString());
    }

    [Fact]
    public async Task P6_CustomerWritingFrom12Digits_OpensWindowFor13DigitSend()
    {
        await using var host = await SandboxHost.StartAsync();
        await host.SimulateCustomerAsync(new { phoneNumberId = SandboxHost.PhoneNumberId, from = "551187654321", name = "Maria", text = "Oi" });

        var accepted = Assert.IsType<SendOutcome.Accepted>(await host.Client.SendTextAsync(SandboxHost.PhoneNumberId, "+" + Customer, "Olá!", "out-7"));

        Assert.Equal("551187654321", accepted.WaId);
        var statuses = await host.Receiver.WaitForAsync(3, w => w.IsStatus);
        Assert.DoesNotContain(statuses, s => s.Status!.Value.GetProperty("status").GetString() == "failed");
    }

    [Fact]
    public async Task R6_Outbox_ListsRecordedSends()
    {
        await using var host = await SandboxHost.StartAsync();
        await host.Client.SendTextAsync(SandboxHost.PhoneNumberId, "+" + Customer, "Oi", "out-9");

        var json = await host.Http.GetStringAsync("/sandbox/outbox");

        Assert.Contains("\"bizOpaqueCallbackData\":\"out-9\"", json, StringComparison.Ordinal);
        Assert.Contains("\"errorCode\":131047", json, StringComparison.Ordinal);
    }
}
