namespace Smartspace.WorkerHost.Tests;

public sealed class WorkerFunctionTests
{
    [Fact]
    public void HttpTrigger_RouteMethodsAuthLevel_ReadFromTheRawBinding()
    {
        var function = TestFunctions.Create("Webhook",
            """{"name":"req","direction":"In","type":"httpTrigger","authLevel":"Function","methods":["GET","post"],"route":"whatsapp/webhook","properties":{}}""",
            """{"name":"$return","type":"http","direction":"Out"}""");

        Assert.True(function.IsHttpTrigger);
        Assert.False(function.IsTimerTrigger);
        Assert.Equal("whatsapp/webhook", function.Route);
        Assert.Equal(["get", "post"], function.Methods);
        Assert.Equal("Function", function.AuthLevel);
        Assert.Equal(["in httpTrigger req", "out http $return"], function.Bindings.Select(b => b.ToString()));
    }

    [Fact]
    public void TimerTrigger_Schedule_ReadCaseInsensitively()
    {
        var function = TestFunctions.Create("Sweep", """{"Name":"timer","Direction":"In","Type":"timerTrigger","Schedule":"0 */5 * * * *"}""");

        Assert.True(function.IsTimerTrigger);
        Assert.Equal("timer", function.Trigger?.Name);
        Assert.Equal("0 */5 * * * *", function.Schedule);
        Assert.Null(function.Route);
    }

    [Fact]
    public void RawBinding_WithoutName_Throws()
    {
        var error = Assert.Throws<WorkerHostException>(() => TestFunctions.Create("Bad", """{"type":"httpTrigger","direction":"In"}"""));

        Assert.Contains("'name'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DurableClients_AreTheInputBindingsOfTypeDurableClient()
    {
        var function = TestFunctions.Create("Webhook",
            """{"name":"req","direction":"In","type":"httpTrigger","methods":["post"],"route":"hook"}""",
            """{"name":"client","direction":"In","type":"durableClient","properties":{}}""",
            """{"name":"$return","type":"http","direction":"Out"}""");

        Assert.Equal(["in durableClient client"], function.DurableClients.Select(b => b.ToString()));
        Assert.Empty(TestFunctions.Create("Health", """{"name":"req","direction":"In","type":"httpTrigger"}""").DurableClients);
    }

    [Fact]
    public void DurableClientJson_HasTheShapeTheDurableClientConverterReads()
    {
        // DurableTaskClientConverter: a case-sensitive camelCase object with an absolute rpcBaseUrl, and grpcHttpClientTimeout
        // as a string holding a JSON-serialized TimeSpan.
        using var json = System.Text.Json.JsonDocument.Parse(WorkerProtocolHost.DurableClientJson(
            new Uri("http://127.0.0.1:4100/durabletask/"), new Uri("http://127.0.0.1:4100/runtime/webhooks/durabletask"), "smartspace", ""));

        var root = json.RootElement;
        Assert.Equal("http://127.0.0.1:4100/durabletask/", root.GetProperty("rpcBaseUrl").GetString());
        Assert.Equal("smartspace", root.GetProperty("taskHubName").GetString());
        Assert.Equal("", root.GetProperty("connectionName").GetString());
        Assert.Equal("", root.GetProperty("requiredQueryStringParameters").GetString());
        Assert.Equal("http://127.0.0.1:4100/runtime/webhooks/durabletask", root.GetProperty("httpBaseUrl").GetString());
        Assert.Equal(4 * 1024 * 1024, root.GetProperty("maxGrpcMessageSizeInBytes").GetInt32());
        Assert.Equal(TimeSpan.FromSeconds(100), System.Text.Json.JsonSerializer.Deserialize<TimeSpan>(root.GetProperty("grpcHttpClientTimeout").GetString()!));
    }

    [Fact]
    public void TimerInfoJson_HasTheShapeTheTimerExtensionReads()
    {
        var now = new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

        using var json = System.Text.Json.JsonDocument.Parse(WorkerProtocolHost.TimerInfoJson(now, isPastDue: true));

        var root = json.RootElement;
        Assert.True(root.GetProperty("Schedule").GetProperty("AdjustForDST").GetBoolean());
        Assert.True(root.GetProperty("IsPastDue").GetBoolean());
        Assert.Equal(now.AddMinutes(-5), root.GetProperty("ScheduleStatus").GetProperty("Last").GetDateTimeOffset());
        Assert.Equal(now.AddMinutes(5), root.GetProperty("ScheduleStatus").GetProperty("Next").GetDateTimeOffset());
        Assert.Equal(now.AddMinutes(-5), root.GetProperty("ScheduleStatus").GetProperty("LastUpdated").GetDateTimeOffset());
    }
}
