using System.Net;
using System.Net.Sockets;
using Smartspace.Meta.Sending;
using Smartspace.Meta.Tests.Support;

namespace Smartspace.Meta.Tests.Graph;

/// <summary>How answers, Graph errors and transport failures become <see cref="SendOutcome"/>s (reference §7, §9).</summary>
public sealed class GraphApiClientResponseTests
{
    private static Task<SendOutcome> Send(RecordingHandler handler, int attempt = 0) =>
        Support.Graph.Client(handler).SendAsync(
            OutboundRequest.ForText("106540352242922", "+5511987654321", "out-1", "Olá") with { Attempt = attempt }, CancellationToken.None);

    private static string GraphError(int code, string message) =>
        "{\"error\":{\"message\":\"(#" + code + ") " + message + "\",\"type\":\"OAuthException\",\"code\":" + code
        + ",\"error_data\":{\"messaging_product\":\"whatsapp\",\"details\":\"details of " + code + "\"},\"fbtrace_id\":\"AbCdEf\"}}";

    [Fact]
    public async Task R6_Accepted_ReturnsWamidWaIdAndStatus()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.OK, """
            {"messaging_product":"whatsapp","contacts":[{"input":"+5511987654321","wa_id":"5511987654321"}],"messages":[{"id":"wamid.ABC","message_status":"accepted"}]}
            """);

        var outcome = Assert.IsType<SendOutcome.Accepted>(await Send(handler));

        Assert.Equal("wamid.ABC", outcome.Wamid);
        Assert.Equal("5511987654321", outcome.WaId);
        Assert.Equal("accepted", outcome.MessageStatus);
        Assert.False(outcome.HeldForQualityAssessment);
    }

    [Fact]
    public async Task P6_Accepted_WaIdDifferentFromInput_IsReportedAsWhatsAppSaysIt()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.OK, """
            {"messaging_product":"whatsapp","contacts":[{"input":"+5511987654321","wa_id":"551187654321"}],"messages":[{"id":"wamid.X"}]}
            """);

        var outcome = Assert.IsType<SendOutcome.Accepted>(await Send(handler));

        Assert.Equal("551187654321", outcome.WaId);
        Assert.Null(outcome.MessageStatus);
    }

    [Fact]
    public async Task R7_Accepted_HeldForQualityAssessment_IsFlagged()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.OK, """
            {"messaging_product":"whatsapp","contacts":[{"input":"+5511987654321","wa_id":"5511987654321"}],"messages":[{"id":"wamid.Y","message_status":"held_for_quality_assessment"}]}
            """);

        var outcome = Assert.IsType<SendOutcome.Accepted>(await Send(handler));

        Assert.True(outcome.HeldForQualityAssessment);
    }

    [Fact]
    public async Task P4_Sync131047_IsPermanent_WithPtBrText()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.BadRequest, GraphError(131047, "Re-engagement message"));

        var outcome = Assert.IsType<SendOutcome.Rejected>(await Send(handler));

        Assert.Equal(131047, outcome.Code);
        Assert.Equal(400, outcome.HttpStatus);
        Assert.Equal("details of 131047", outcome.Details);
        Assert.Equal("(#131047) Re-engagement message", outcome.Title);
        Assert.Same(RejectionKind.Permanent, outcome.Kind);
        Assert.Equal(Smartspace.Core.Text.PtBr.MetaReengagement131047, outcome.AgentText);
    }

    [Fact]
    public async Task R6_Throughput130429_IsRetryLater()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.BadRequest, GraphError(130429, "Rate limit hit"));

        var outcome = Assert.IsType<SendOutcome.Rejected>(await Send(handler));

        Assert.IsType<RejectionKind.RetryLater>(outcome.Kind);
        Assert.Equal(Smartspace.Core.Text.PtBr.MetaUnknownError, outcome.AgentText); // as a final refusal; while retrying the agent reads OutboundNotices.Retrying
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 4)]
    [InlineData(2, 16)]
    public async Task R6_PairRateLimit131056_RetryLaterFourToTheAttempt(int attempt, int seconds)
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.BadRequest, GraphError(131056, "(Business Account, Consumer Account) pair rate limit hit"));

        var outcome = Assert.IsType<SendOutcome.Rejected>(await Send(handler, attempt));

        Assert.Equal(new RejectionKind.RetryLater(TimeSpan.FromSeconds(seconds)), outcome.Kind);
    }

    [Fact]
    public async Task R7_TemplateParams132000_IsPermanent()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.BadRequest, GraphError(132000, "Number of parameters does not match the expected number of params"));

        var outcome = Assert.IsType<SendOutcome.Rejected>(await Send(handler));

        Assert.Same(RejectionKind.Permanent, outcome.Kind);
        Assert.Equal(Smartspace.Core.Text.PtBr.MetaTemplateParams132000, outcome.AgentText);
    }

    [Fact]
    public async Task R6_ExpiredToken190_IsPermanent_AndReadsAsAConfigurationProblem()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.Unauthorized,
            """{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"fbtrace_id":"A1"}}""");

        var outcome = Assert.IsType<SendOutcome.Rejected>(await Send(handler));

        Assert.Equal(190, outcome.Code);
        Assert.Same(RejectionKind.Permanent, outcome.Kind);
        Assert.Equal(Smartspace.Core.Text.PtBr.MetaAccessInvalid, outcome.AgentText);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task R6_ServerError_IsRetryLater(HttpStatusCode status)
    {
        var handler = RecordingHandler.Answering(status, "<html>oops</html>");

        var outcome = Assert.IsType<SendOutcome.Rejected>(await Send(handler));

        Assert.Null(outcome.Code);
        Assert.Equal((int)status, outcome.HttpStatus);
        Assert.IsType<RejectionKind.RetryLater>(outcome.Kind);
    }

    [Fact]
    public async Task R6_ServerError131000_IsRetryLater()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.InternalServerError, GraphError(131000, "Something went wrong"));

        var outcome = Assert.IsType<SendOutcome.Rejected>(await Send(handler));

        Assert.Equal(131000, outcome.Code);
        Assert.IsType<RejectionKind.RetryLater>(outcome.Kind);
    }

    [Fact]
    public async Task R6_GatewayTimeoutWithoutGraphError_IsAmbiguous()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.GatewayTimeout, "");

        var outcome = Assert.IsType<SendOutcome.Rejected>(await Send(handler));

        Assert.Same(RejectionKind.Ambiguous, outcome.Kind);
    }

    [Fact]
    public async Task R6_Timeout_IsAmbiguous_AndNotRetriedByTheClient()
    {
        var handler = RecordingHandler.Throwing(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout"));

        var outcome = Assert.IsType<SendOutcome.Rejected>(await Send(handler));

        Assert.Same(RejectionKind.Ambiguous, outcome.Kind);
        Assert.Null(outcome.HttpStatus);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task R6_ConnectionDroppedAfterSending_IsAmbiguous()
    {
        var handler = RecordingHandler.Throwing(new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."));

        var outcome = Assert.IsType<SendOutcome.Rejected>(await Send(handler));

        Assert.Same(RejectionKind.Ambiguous, outcome.Kind);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task R6_ConnectionRefused_NothingLeft_IsRetryLater()
    {
        var handler = RecordingHandler.Throwing(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused",
            new SocketException((int)SocketError.ConnectionRefused)));

        var outcome = Assert.IsType<SendOutcome.Rejected>(await Send(handler));

        Assert.IsType<RejectionKind.RetryLater>(outcome.Kind);
    }

    [Fact]
    public async Task R6_SuccessWithoutMessageId_IsAmbiguous()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.OK, """{"messaging_product":"whatsapp"}""");

        var outcome = Assert.IsType<SendOutcome.Rejected>(await Send(handler));

        Assert.Same(RejectionKind.Ambiguous, outcome.Kind);
    }
}
