using Smartspace.Core.Meta;

namespace Smartspace.Core.Messaging;

/// <summary>
/// An outbound message's delivery state: its status (P3), when that status was reached, and the
/// error that made it fail, if it failed.
/// </summary>
/// <param name="Status">The current status.</param>
/// <param name="StatusAt">When Meta (or we, for Pending) reported it.</param>
/// <param name="Error">Set while <see cref="Status"/> is Failed.</param>
public sealed record MessageDelivery(MessageStatus Status, DateTimeOffset StatusAt, MetaError? Error = null)
{
    /// <summary>A message just written, not yet sent.</summary>
    public static MessageDelivery Pending(DateTimeOffset now) => new(MessageStatus.Pending, now);

    /// <summary>
    /// Applies one status report (P3). Returns this same instance when the report changes nothing
    /// (duplicate, out of order, unknown), so callers can skip the write with
    /// <c>ReferenceEquals(next, current)</c> or compare <see cref="Status"/>.
    /// </summary>
    public MessageDelivery Apply(MessageStatus incoming, DateTimeOffset at, MetaError? error = null)
    {
        if (!MessageStatusRules.CanAdvance(Status, incoming))
        {
            return this;
        }

        return incoming == MessageStatus.Failed
            ? new MessageDelivery(incoming, at, error)
            : new MessageDelivery(incoming, at);
    }
}
