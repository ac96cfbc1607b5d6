using System.Text.Json;
using Smartspace.Core.Templates;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Features.MetaWebhook;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Outbound;

/// <summary>
/// What the engine hands to the Graph API port for each kind of send (reference §9): the channel's
/// phone_number_id, <c>to</c> with '+' and the country code, our id (echoed as biz_opaque_callback_data)
/// and exactly the template values the agent chose.
/// </summary>
public sealed class OutboundRequestShapeTests : IDisposable
{
    private const string Typed = "11987654321";
    private readonly HandlerFactory factory = new();

    [Fact]
    public async Task R7_TemplateStart_SendsNameLanguageHeaderImageAndPositionalValuesInOrder()
    {
        var started = await factory.ClientFor("ana").StartCreatedAsync(Typed, Desk.Retomada("Maria"));
        var ourId = started.GetProperty("messages")[0].GetProperty("id").GetString()!;

        await factory.WaitForSendsAsync(ourId, 1);

        var request = Assert.Single(factory.Sender.Requests);
        Assert.Equal(started.ConversationId() + ".1", request.OurMessageId);
        Assert.Equal(ourId, request.OurMessageId);
        Assert.Equal(HandlerFactory.ChannelId, request.PhoneNumberId);
        Assert.Equal("+55" + Typed, request.ToE164);
        Assert.Equal(0, request.Attempt);
        Assert.Null(request.Text);
        Assert.Equal("retomada_atendimento", request.Template!.Name);
        Assert.Equal("pt_BR", request.Template.Language);
        Assert.IsType<TemplateHeader.Image>(request.Template.Header);
        Assert.Equal(Desk.HeaderImage, request.Parameters!.HeaderMedia!.Link);
        Assert.Null(request.Parameters.HeaderMedia.MediaId);
        Assert.Equal(["Maria", "Smartspace"], request.Parameters.BodyPositional);
        Assert.Empty(request.Parameters.BodyNamed);
    }

    [Fact]
    public async Task R7_TemplateStart_NamedValuesAreSentByName()
    {
        var started = await factory.ClientFor("ana").StartCreatedAsync(Typed, Desk.Confirmacao("João", "#9000"));
        var ourId = started.GetProperty("messages")[0].GetProperty("id").GetString()!;

        await factory.WaitForSendsAsync(ourId, 1);

        var request = Assert.Single(factory.Sender.Requests);
        Assert.Equal(ourId, request.OurMessageId);
        Assert.Equal("+55" + Typed, request.ToE164);
        Assert.Equal("confirmacao_pedido", request.Template!.Name);
        Assert.Equal(TemplateParameterFormat.Named, request.Template.ParameterFormat);
        Assert.Null(request.Parameters!.HeaderMedia);
        Assert.Empty(request.Parameters.BodyPositional);
        Assert.Equal(new Dictionary<string, string> { ["nome"] = "João", ["pedido"] = "#9000" }, request.Parameters.BodyNamed);
    }

    [Fact]
    public async Task P4_FreeTextInsideTheWindow_SendsTheTextWithOurIdAndPlusE164()
    {
        await factory.NobodyAvailableAsync();
        await factory.CustomerWritesAsync(Typed, "wamid.shape.in.1");
        var ana = factory.ClientFor("ana");
        var started = await ana.StartCreatedAsync(Typed);
        Assert.Equal("open", started.Stage());

        using var response = await ana.SendTextAsync(started.ConversationId(), "Olá, Maria! Como posso ajudar?");
        var sent = await response.ReadJsonAsync();
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var message = sent.GetProperty("message");
        var ourId = message.GetProperty("id").GetString()!;
        Assert.Equal("pending", message.GetProperty("status").GetString());

        await factory.WaitForSendsAsync(ourId, 1);

        var request = Assert.Single(factory.Sender.Requests);
        Assert.Equal($"{started.ConversationId()}.{message.GetProperty("seq").GetInt64()}", request.OurMessageId);
        Assert.Equal(ourId, request.OurMessageId);
        Assert.Equal(HandlerFactory.ChannelId, request.PhoneNumberId);
        Assert.Equal("+55" + Typed, request.ToE164);
        Assert.Equal("Olá, Maria! Como posso ajudar?", request.Text);
        Assert.Null(request.Template);
        Assert.Null(request.Parameters);
    }

    [Fact]
    public async Task P6_AfterMetaReportsTheTwelveDigitWaId_LaterSendsGoThere()
    {
        // Meta answers the 13-digit number typed by the agent with the account's 12-digit wa_id (reference §9, §14).
        factory.Sender.Behaviour = request => new Meta.Sending.SendOutcome.Accepted("wamid.P6.1", "551187654321", "accepted");
        var ana = factory.ClientFor("ana");
        var started = await ana.StartCreatedAsync(Typed, Desk.Retomada());
        var first = started.GetProperty("messages")[0].GetProperty("id").GetString()!;
        await factory.WaitForSendsAsync(first, 1);
        Assert.Equal("551187654321", (await factory.MessageAsync(first)).WaId);
        await LedgerProbe.EventuallyAsync(async () => (await factory.CustomerOfAsync(Typed))?.SendTo == "551187654321", "the customer's wa_id to be recorded");

        // A second template (R9) now goes to the wa_id Meta reported.
        factory.Sender.Behaviour = null;
        using var again = await ana.SendTemplateAsync(started.ConversationId(), Desk.Retomada("Maria de novo"));
        var second = (await again.ReadJsonAsync()).GetProperty("message").GetProperty("id").GetString()!;
        await factory.WaitForSendsAsync(second, 2);

        Assert.Equal(started.ConversationId() + ".2", second);
        Assert.Equal("+551187654321", factory.LastRequest().ToE164);
        Assert.Equal(["Maria de novo", "Smartspace"], factory.LastRequest().Parameters!.BodyPositional);
    }

    [Fact]
    public async Task R7_StoredTemplateValues_SurviveARetryUnchanged()
    {
        factory.Sender.Behaviour = Outcomes.FailThenAccept(1, Outcomes.ThroughputReached);
        var started = await factory.ClientFor("ana").StartCreatedAsync(Typed, Desk.Retomada("Maria"));
        var ourId = started.GetProperty("messages")[0].GetProperty("id").GetString()!;
        var entry = await factory.WaitForSendsAsync(ourId, 1);

        factory.Clock.SetUtcNow(entry!.GetDateTimeOffset("NextAttemptAt")!.Value);
        await factory.SweepAsync();
        await factory.WaitForSendsAsync(ourId, 2);

        var requests = factory.Sender.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal(1, requests[1].Attempt);
        Assert.Equal(JsonSerializer.Serialize(Shape(requests[0])), JsonSerializer.Serialize(Shape(requests[1])));
    }

    private static object Shape(Meta.Sending.OutboundRequest r) => new
    {
        r.PhoneNumberId,
        r.ToE164,
        r.OurMessageId,
        r.Text,
        Template = r.Template?.Name,
        r.Template?.Language,
        Header = r.Parameters?.HeaderMedia?.Link,
        Positional = r.Parameters?.BodyPositional,
        Named = r.Parameters?.BodyNamed,
    };

    public void Dispose() => factory.Dispose();
}
