using Smartspace.FunctionApp.Tests.Infrastructure;

namespace Smartspace.FunctionApp.Tests;

/// <summary>Each timer function, invoked as the host invokes it on schedule, completes successfully.</summary>
[Collection(FunctionAppCollection.Name)]
public sealed class TimerFunctionsTests(FunctionAppFixture fixture)
{
    private static readonly string[] TimerNames = ["window-expiry", "outbox-retry", "template-sync", "retention"];

    public static TheoryData<string> Timers => new(TimerNames);

    [Theory]
    [MemberData(nameof(Timers))]
    public async Task Timer_InvokedOnSchedule_Succeeds(string name)
    {
        var result = await fixture.Host.InvokeTimerAsync(name);

        Assert.True(result.Succeeded, $"{result}{Environment.NewLine}{string.Join(Environment.NewLine, result.Logs)}");
    }

    [Fact]
    public async Task Timer_PastDue_Succeeds()
    {
        var result = await fixture.Host.InvokeTimerAsync("window-expiry", isPastDue: true);

        Assert.True(result.Succeeded, result.ToString());
    }

    [Fact]
    public void EveryTimerFunction_IsCoveredHere()
    {
        var timers = fixture.Host.Functions.Where(f => f.IsTimerTrigger).Select(f => f.Name).Order(StringComparer.Ordinal);

        Assert.Equal(TimerNames.Order(StringComparer.Ordinal), timers);
    }
}
