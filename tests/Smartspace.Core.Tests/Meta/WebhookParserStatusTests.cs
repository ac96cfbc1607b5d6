using Smartspace.Core.Messaging;
using Smartspace.Core.Meta;
using Smartspace.Core.Tests.TestSupport;
using static Smartspace.Core.Tests.Meta.WebhookParserMessageTests;

namespace Smartspace.Core.Tests.Meta;

public sealed class WebhookParserStatusTests
{
    [Theory]
    [InlineData("status_sent", MessageStatus.Sent, 1750030073)]
    [InlineData("status_delivered", MessageStatus.Delivered, 1750030075)]
    [InlineData("status_read", MessageStatus.Read, 1750030080)]
    [InlineData("status_played", MessageStatus.Played, 1750030090)]
    [InlineData("status_failed_131047", MessageStatus.Failed, 1750030090)]
    public void P3_EveryStatus_Parses(string fixture, MessageStatus status, long unixSeconds)
    {
        var change = Assert.IsType<MessagesChange>(Assert.Single(Parse(Fixtures.Bytes(fixture)).Changes));
        var update = Assert.Single(change.Statuses);

        Assert.Empty(change.Messages);
        Assert.Equal("wamid.outbound-1", update.Wamid);
        Assert.Equal(status, update.Status);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(unixSeconds), update.Timestamp);
        Assert.Equal("5511987654321", update.RecipientId);
    }

    [Fact]
    public void P3_Sent_KeepsPricingCallbackDataAndUserId()
    {
        var update = Assert.Single(Parse(Fixtures.Bytes("status_sent")).Statuses);
        Assert.Equal(new StatusPricing("utility", "regular", "PMP", true), update.Pricing);
        Assert.Equal("out-7f3c", update.BizOpaqueCallbackData);
        Assert.Equal("BR.1502576394655843", update.RecipientUserId);
        Assert.Empty(update.Errors);
    }

    [Fact]
    public void P4_Failed131047_KeepsCodeTitleAndDetails()
    {
        var update = Assert.Single(Parse(Fixtures.Bytes("status_failed_131047")).Statuses);
        var error = Assert.Single(update.Errors);

        Assert.Equal(MetaError.ReengagementCode, error.Code);
        Assert.Equal("Re-engagement message", error.Title);
        Assert.StartsWith("Message failed to send because more than 24 hours", error.Details, StringComparison.Ordinal);
        Assert.NotNull(error.Href);
        Assert.Equal(Smartspace.Core.Text.PtBr.MetaReengagement131047, error.AgentText);
        Assert.Null(update.Pricing);
        Assert.Null(update.RecipientUserId);
    }

    [Fact]
    public void P3_UnknownStatusValue_IsUnknownAndDoesNotFailTheBatch()
    {
        var statuses = Parse(Fixtures.Bytes("status_unknown_value")).Statuses.ToList();
        Assert.Equal(2, statuses.Count);
        Assert.Equal(MessageStatus.Unknown, statuses[0].Status);
        Assert.Equal("deleted", statuses[0].StatusText);
        Assert.Equal(MessageStatus.Read, statuses[1].Status);
    }

    [Fact]
    public void P3_Batch_KeepsEveryEntryChangeMessageAndStatusInOrder()
    {
        var envelope = Parse(Fixtures.Bytes("batch"));

        Assert.Equal(4, envelope.Changes.Count);
        Assert.Equal(["wamid.b1", "wamid.b2", "wamid.b3", "wamid.c1"], envelope.Messages.Select(m => m.Wamid));
        Assert.Equal(["wamid.o1", "wamid.o1", "wamid.o2", "wamid.o3"], envelope.Statuses.Select(s => s.Wamid));
        Assert.Equal(
            [MessageStatus.Sent, MessageStatus.Delivered, MessageStatus.Read, MessageStatus.Failed],
            envelope.Statuses.Select(s => s.Status));

        var second = Assert.IsType<MessagesChange>(envelope.Changes[2]);
        Assert.Equal("999888777666555", second.WabaId);
        Assert.Equal("200000000000002", second.PhoneNumberId);
        Assert.Equal("Carla", Assert.Single(second.Contacts).ProfileName);
        Assert.Equal(131000, Assert.Single(second.Errors).Code);
        Assert.Equal(131026, Assert.Single(Assert.Single(second.Statuses).Errors).Code);

        var template = Assert.IsType<TemplateStatusChange>(envelope.Changes[3]);
        Assert.Equal("12345", template.TemplateId); // a string id is accepted too
        Assert.Equal("REJECTED", template.Event);
        Assert.False(template.IsApproved);
    }

    [Fact]
    public void P5_TemplateStatusUpdate_ParsesNumericIdAndNormalisesLanguage()
    {
        var change = Assert.IsType<TemplateStatusChange>(Assert.Single(Parse(Fixtures.Bytes("template_status_update")).Changes));

        Assert.Equal("message_template_status_update", change.Field);
        Assert.Equal("102290129340398", change.WabaId);
        Assert.Equal("APPROVED", change.Event);
        Assert.True(change.IsApproved);
        Assert.Equal("1689556908129832", change.TemplateId);
        Assert.Equal("retomada_atendimento", change.Name);
        Assert.Equal("en_US", change.Language);
        Assert.Equal("NONE", change.Reason);
        Assert.Equal("UTILITY", change.Category);
    }

    [Fact]
    public void P5_TemplateStatusUpdate_AcceptsNullReason()
    {
        var body = """
            {"object":"whatsapp_business_account","entry":[{"id":"1","time":1,"changes":[{"field":"message_template_status_update",
              "value":{"event":"PENDING_DELETION","message_template_id":77,"message_template_name":"x","message_template_language":"pt_BR","reason":null}}]}]}
            """u8;
        var change = Assert.IsType<TemplateStatusChange>(Assert.Single(Parse(body.ToArray()).Changes));
        Assert.Null(change.Reason);
        Assert.Null(change.Category);
        Assert.Equal("77", change.TemplateId);
        Assert.Equal("pt_BR", change.Language);
    }

    [Fact]
    public void P7_UnknownField_IsKeptAsOtherChangeNotAnError()
    {
        var change = Assert.IsType<OtherChange>(Assert.Single(Parse(Fixtures.Bytes("user_id_update")).Changes));
        Assert.Equal("user_id_update", change.Field);
        Assert.Equal("102290129340398", change.WabaId);
        Assert.Contains("\"previous\"", change.ValueJson, StringComparison.Ordinal);
    }

    [Fact]
    public void P7_EmptyEntryOrChanges_IsAnEmptyEnvelope()
    {
        Assert.Empty(Parse("""{"object":"whatsapp_business_account","entry":[]}"""u8.ToArray()).Changes);
        Assert.Empty(Parse("""{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]}"""u8.ToArray()).Changes);
    }

    [Fact]
    public void P7_ByteOrderMarkAndWhitespace_AreAccepted()
    {
        var body = "\uFEFF\n  " + """{"object":"whatsapp_business_account","entry":[]}""" + " \r\n";
        Assert.Empty(Parse(System.Text.Encoding.UTF8.GetBytes(body)).Changes);
    }
}
