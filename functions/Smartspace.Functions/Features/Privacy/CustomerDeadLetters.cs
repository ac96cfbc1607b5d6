using Smartspace.Core.Phones;
using Smartspace.Functions.Features.MetaWebhook;
using Smartspace.Functions.Ledger;
using Smartspace.Storage.Sqlite;

namespace Smartspace.Functions.Features.Privacy;

/// <summary>
/// A customer's webhook bodies the inbox gave up applying (<c>Webhook__Inbox=On</c>): raw copies of their messages, so
/// export shows them and erasure removes them. A body is the customer's when it names one of their keys as WhatsApp
/// writes them (the canonical number, its 12-digit wa_id (P6), the BSUID) and one of the contact center's own phone
/// number ids, so one contact center's request never reaches another's customer.
/// </summary>
public sealed class CustomerDeadLetters(WebhookInbox inbox, ContactCenterDirectory directory)
{
    public async Task<IReadOnlyList<DeadLetter>> ReadAsync(string tenantId, CustomerKey requested, IEnumerable<string> customerKeys, CancellationToken ct)
    {
        var (values, channels) = await ScopeAsync(tenantId, requested, customerKeys, ct);
        return channels.Count == 0 ? [] : await inbox.ReadDeadLettersAsync(values, channels, ct);
    }

    public async Task<long> PurgeAsync(string tenantId, CustomerKey requested, IEnumerable<string> customerKeys, CancellationToken ct)
    {
        var (values, channels) = await ScopeAsync(tenantId, requested, customerKeys, ct);
        return channels.Count == 0 ? 0 : await inbox.PurgeDeadLettersAsync(values, channels, null, ct);
    }

    private async Task<(List<string> Values, List<string> Channels)> ScopeAsync(string tenantId, CustomerKey requested, IEnumerable<string> customerKeys, CancellationToken ct)
    {
        var values = new List<string>();
        if (!inbox.Enabled)
        {
            return (values, []);
        }

        foreach (var value in customerKeys.Append(requested.Value))
        {
            values.Add(value);
            if (CustomerKey.TryFromWaId(value, out var key) && key.LegacyWaId is { } legacy)
            {
                values.Add(legacy);
            }
        }

        var channels = (await directory.GetChannelsOfTenantAsync(tenantId, ct)).Select(c => c.ChannelId).ToList();
        return (values, channels);
    }
}
