using Smartspace.Meta.Sending;

namespace Smartspace.Meta.Tests.Sending;

/// <summary>Meta's per-number throughput and per-customer pair rate (reference §11) as the sender's pacing.</summary>
public sealed class SendPacingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void R6_NumberThroughput_80AtOnce_The81stWaitsOneInterval()
    {
        var pacing = new SendPacing(SendLimits.Default);

        var first80 = Enumerable.Range(0, 80).Select(i => pacing.Reserve("number-1", "+55119" + i.ToString("D8", System.Globalization.CultureInfo.InvariantCulture), Now)).ToList();
        var next = pacing.Reserve("number-1", "+5511988888888", Now);

        Assert.All(first80, d => Assert.Equal(new PacingDecision(true, TimeSpan.Zero), d));
        Assert.Equal(new PacingDecision(true, TimeSpan.FromSeconds(1 / 80.0)), next);
        // Another business number has its own throughput.
        Assert.Equal(new PacingDecision(true, TimeSpan.Zero), pacing.Reserve("number-2", "+5511988888888", Now));
    }

    [Fact]
    public void R6_PairRate_45BurstToOneCustomer_ThenDeferredSixSeconds_OthersUnaffected()
    {
        var pacing = new SendPacing(SendLimits.Default);

        var burst = Enumerable.Range(0, 45).Select(i => pacing.Reserve("number-1", "+5511987654321", Now + TimeSpan.FromMilliseconds(20 * i))).ToList();
        var at = Now + TimeSpan.FromMilliseconds(20 * 45);
        var beyond = pacing.Reserve("number-1", "+5511987654321", at);

        Assert.All(burst, d => Assert.Equal(new PacingDecision(true, TimeSpan.Zero), d));
        // Not reserved (longer than MaxPacingWait): due when the pair's quota allows one more.
        Assert.False(beyond.Reserved);
        Assert.Equal(Now + SendLimits.Default.PairInterval, at + beyond.Wait);
        Assert.Equal(new PacingDecision(true, TimeSpan.Zero), pacing.Reserve("number-1", "+5511912345678", at));

        Assert.Equal(new PacingDecision(true, TimeSpan.Zero), pacing.Reserve("number-1", "+5511987654321", at + beyond.Wait));
    }

    [Fact]
    public void R6_ShortWait_IsReservedSoConcurrentCallersGetSuccessiveSlots()
    {
        var pacing = new SendPacing(SendLimits.Default with { NumberMessagesPerSecond = 2 });

        var decisions = Enumerable.Range(0, 4).Select(i => pacing.Reserve("number-1", "+55119000000" + i, Now)).ToList();

        Assert.Equal([TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1)], decisions.Select(d => d.Wait));
        Assert.All(decisions, d => Assert.True(d.Reserved));
        Assert.False(pacing.Reserve("number-1", "+5511900000009", Now).Reserved);
    }
}
