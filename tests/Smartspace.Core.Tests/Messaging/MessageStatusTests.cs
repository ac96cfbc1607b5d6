using Smartspace.Core.Messaging;
using Smartspace.Core.Meta;
using static Smartspace.Core.Messaging.MessageStatus;

namespace Smartspace.Core.Tests.Messaging;

public sealed class MessageStatusTests
{
    /// <summary>Every (current, incoming) pair and the status that results (P3).</summary>
    public static TheoryData<MessageStatus, MessageStatus, MessageStatus> AllPairs => new()
    {
        // current Unknown (nothing known): any known status is taken.
        { Unknown, Unknown, Unknown }, { Unknown, Pending, Pending }, { Unknown, Sent, Sent },
        { Unknown, Delivered, Delivered }, { Unknown, Read, Read }, { Unknown, Played, Played }, { Unknown, Failed, Failed },

        { Pending, Unknown, Pending }, { Pending, Pending, Pending }, { Pending, Sent, Sent },
        { Pending, Delivered, Delivered }, { Pending, Read, Read }, { Pending, Played, Played }, { Pending, Failed, Failed },

        { Sent, Unknown, Sent }, { Sent, Pending, Sent }, { Sent, Sent, Sent },
        { Sent, Delivered, Delivered }, { Sent, Read, Read }, { Sent, Played, Played }, { Sent, Failed, Failed },

        { Delivered, Unknown, Delivered }, { Delivered, Pending, Delivered }, { Delivered, Sent, Delivered },
        { Delivered, Delivered, Delivered }, { Delivered, Read, Read }, { Delivered, Played, Played }, { Delivered, Failed, Delivered },

        { Read, Unknown, Read }, { Read, Pending, Read }, { Read, Sent, Read },
        { Read, Delivered, Read }, { Read, Read, Read }, { Read, Played, Played }, { Read, Failed, Read },

        { Played, Unknown, Played }, { Played, Pending, Played }, { Played, Sent, Played },
        { Played, Delivered, Played }, { Played, Read, Played }, { Played, Played, Played }, { Played, Failed, Played },

        // after Failed only proof of delivery advances.
        { Failed, Unknown, Failed }, { Failed, Pending, Failed }, { Failed, Sent, Failed },
        { Failed, Delivered, Delivered }, { Failed, Read, Read }, { Failed, Played, Played }, { Failed, Failed, Failed },
    };

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void P3_Merge_NeverMovesBackwards(MessageStatus current, MessageStatus incoming, MessageStatus expected)
    {
        Assert.Equal(expected, MessageStatusRules.Merge(current, incoming));
        Assert.Equal(expected != current, MessageStatusRules.CanAdvance(current, incoming));
    }

    [Fact]
    public void P3_AllPairs_CoversEveryCombination()
    {
        var values = Enum.GetValues<MessageStatus>();
        Assert.Equal(values.Length * values.Length, AllPairs.Count);
    }

    [Fact]
    public void P3_AnyOrderOfArrival_EndsAtTheSameStatus()
    {
        // Property: the happy-path statuses converge to Read whatever order (and duplication) they arrive in.
        var random = new Random(3);
        MessageStatus[] reports = [Sent, Delivered, Read, Sent, Delivered];
        for (var i = 0; i < 500; i++)
        {
            var status = Pending;
            foreach (var report in reports.OrderBy(_ => random.Next()))
            {
                status = MessageStatusRules.Merge(status, report);
            }

            Assert.Equal(Read, status);
        }
    }

    [Theory]
    [InlineData("sent", Sent)]
    [InlineData("delivered", Delivered)]
    [InlineData("read", Read)]
    [InlineData("played", Played)]
    [InlineData("failed", Failed)]
    [InlineData("deleted", Unknown)]
    [InlineData("READ", Unknown)]
    [InlineData(null, Unknown)]
    public void P3_FromMeta_MapsWireValues(string? wire, MessageStatus expected) =>
        Assert.Equal(expected, MessageStatusRules.FromMeta(wire));

    [Fact]
    public void P3_Delivery_KeepsTheErrorOfAFailureAndDropsItOnLaterProofOfDelivery()
    {
        var t0 = new DateTimeOffset(2026, 11, 24, 2, 0, 0, TimeSpan.Zero);
        var error = new MetaError(131047, "Re-engagement message", null, "more than 24 hours", null);

        var failed = MessageDelivery.Pending(t0).Apply(Sent, t0.AddSeconds(1)).Apply(Failed, t0.AddSeconds(2), error);
        Assert.Equal(Failed, failed.Status);
        Assert.Same(error, failed.Error);
        Assert.Same(failed, failed.Apply(Sent, t0.AddSeconds(3)));
        Assert.Same(failed, failed.Apply(Failed, t0.AddSeconds(3), error));

        var delivered = failed.Apply(Delivered, t0.AddSeconds(4));
        Assert.Equal(Delivered, delivered.Status);
        Assert.Null(delivered.Error);
        Assert.Equal(t0.AddSeconds(4), delivered.StatusAt);
    }

    [Fact]
    public void P3_Delivery_IgnoresFailedAfterDelivered()
    {
        var t0 = new DateTimeOffset(2026, 11, 24, 2, 0, 0, TimeSpan.Zero);
        var delivered = MessageDelivery.Pending(t0).Apply(Delivered, t0.AddSeconds(1));
        Assert.Same(delivered, delivered.Apply(Failed, t0.AddSeconds(2), new MetaError(131026, null, null, null, null)));
        Assert.True(delivered.Status.IsDelivered());
        Assert.False(Sent.IsDelivered());
    }
}
