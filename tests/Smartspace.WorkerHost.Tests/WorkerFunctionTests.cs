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
