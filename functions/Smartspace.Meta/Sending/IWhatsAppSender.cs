namespace Smartspace.Meta.Sending;

/// <summary>
/// The outbound port the conversation engine calls. One call = one <c>POST /messages</c>; never retries by
/// itself (there is no idempotency key at Meta, so a hidden retry could deliver twice). The caller decides
/// with <see cref="OutboundRetryPolicy"/>.
/// </summary>
public interface IWhatsAppSender
{
    Task<SendOutcome> SendAsync(OutboundRequest request, CancellationToken cancellationToken);
}
