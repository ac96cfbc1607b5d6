namespace Smartspace.Core.Messaging;

/// <summary>
/// Where an outbound message is (P3). Our own <see cref="Pending"/> (written, not yet accepted by Meta)
/// then Meta's <c>sent</c> → <c>delivered</c> → <c>read</c> → <c>played</c> (first play of a voice
/// message, which implies it was read), or <c>failed</c>.
/// </summary>
public enum MessageStatus
{
    /// <summary>A status value Meta sent that this product does not know; never stored, never applied.</summary>
    Unknown = 0,

    /// <summary>Ours: stored, not yet accepted by the Graph API.</summary>
    Pending,

    /// <summary>Meta <c>sent</c> (one tick).</summary>
    Sent,

    /// <summary>Meta <c>delivered</c> (two ticks).</summary>
    Delivered,

    /// <summary>Meta <c>read</c> (blue ticks).</summary>
    Read,

    /// <summary>Meta <c>played</c>: counts as read-or-later.</summary>
    Played,

    /// <summary>Meta <c>failed</c>, or our send attempt was refused.</summary>
    Failed,
}

/// <summary>
/// P3: a message's status never moves backwards, whatever order Meta's webhooks arrive in.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Progress ranks: Pending &lt; Sent &lt; Delivered &lt; Read &lt; Played. A higher rank replaces a
/// lower one; an equal or lower rank is ignored (duplicates are harmless).</item>
/// <item><c>failed</c> replaces Pending or Sent (the caller keeps the error), but never undoes
/// Delivered/Read/Played: a message the customer's phone received was not lost, so a late
/// <c>failed</c> after <c>delivered</c> is ignored.</item>
/// <item>After Failed, Delivered/Read/Played still advance (the customer demonstrably got it, so that
/// evidence wins over the earlier failure); Sent and Pending do not (they precede a failure).</item>
/// <item><see cref="MessageStatus.Unknown"/> never changes anything; a stored Unknown is treated as
/// "nothing known yet" and takes any known status.</item>
/// </list>
/// </remarks>
public static class MessageStatusRules
{
    /// <summary>True when <paramref name="incoming"/> changes <paramref name="current"/>.</summary>
    public static bool CanAdvance(MessageStatus current, MessageStatus incoming) =>
        (current, incoming) switch
        {
            (_, MessageStatus.Unknown) => false,
            (MessageStatus.Unknown, _) => true,
            (MessageStatus.Failed, _) => Rank(incoming) >= Rank(MessageStatus.Delivered),
            (_, MessageStatus.Failed) => current is MessageStatus.Pending or MessageStatus.Sent,
            _ => Rank(incoming) > Rank(current),
        };

    /// <summary>The status after <paramref name="incoming"/> arrives: the later of the two (P3).</summary>
    public static MessageStatus Merge(MessageStatus current, MessageStatus incoming) =>
        CanAdvance(current, incoming) ? incoming : current;

    /// <summary>True for Delivered, Read and Played: the customer's phone has the message.</summary>
    public static bool IsDelivered(this MessageStatus status) => Rank(status) >= Rank(MessageStatus.Delivered);

    /// <summary>Meta's wire value ("sent", "delivered", "read", "played", "failed") to a status; Unknown otherwise.</summary>
    public static MessageStatus FromMeta(string? value) => value switch
    {
        "sent" => MessageStatus.Sent,
        "delivered" => MessageStatus.Delivered,
        "read" => MessageStatus.Read,
        "played" => MessageStatus.Played,
        "failed" => MessageStatus.Failed,
        _ => MessageStatus.Unknown,
    };

    private static int Rank(MessageStatus status) => status switch
    {
        MessageStatus.Pending => 1,
        MessageStatus.Sent => 2,
        MessageStatus.Delivered => 3,
        MessageStatus.Read => 4,
        MessageStatus.Played => 5,
        _ => 0,
    };
}
