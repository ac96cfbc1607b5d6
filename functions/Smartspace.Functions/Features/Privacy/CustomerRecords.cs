using Smartspace.Core.Conversations;
using Smartspace.Core.Phones;
using Smartspace.Functions.Ledger;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Privacy;

/// <summary>Who an LGPD request is about: a number (typed like "Para", or a <c>wa_id</c>) or a BSUID — exactly one.</summary>
public sealed record CustomerRequest(string? Number, string? UserId)
{
    /// <summary>The customer key asked for, or the reason (English, for developers) why the request is not valid.</summary>
    public CustomerKey? ToKey(out string? error)
    {
        error = null;
        var hasNumber = !string.IsNullOrWhiteSpace(Number);
        if (hasNumber == !string.IsNullOrWhiteSpace(UserId))
        {
            error = "Give exactly one of number (the customer's phone number) or userId (the customer's BSUID).";
            return null;
        }

        if (!hasNumber)
        {
            if (CustomerKey.TryFromUserId(UserId!.Trim(), out var user))
            {
                return user;
            }

            error = "userId is not a business-scoped user id.";
            return null;
        }

        var check = BrazilianPhoneNumber.Check(Number);
        if (check.IsValid)
        {
            return CustomerKey.FromPhone(check);
        }

        // A wa_id as WhatsApp reports it (P6: 12 or 13 digits for a Brazilian mobile, or another country's number).
        var digits = Number!.Trim();
        if (digits.All(c => char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '(' or ')')
            && CustomerKey.TryFromWaId(new string(digits.Where(char.IsAsciiDigit).ToArray()), out var key))
        {
            return key;
        }

        error = "number is not a phone number.";
        return null;
    }
}

/// <summary>
/// Everything the ledger holds about one customer of one contact center: the profile on every channel under every
/// key that names them (P6: the canonical number — its 12-digit variant canonicalises to it — and their BSUID,
/// linked through the profiles), and every conversation under those keys. Nothing outside the contact center's own
/// partition is read, so another contact center's customer can never be found, whatever the number.
/// </summary>
public sealed record CustomerRecords(string TenantId, CustomerKey Requested, IReadOnlyList<CustomerRow> Profiles, IReadOnlyList<Entity> Conversations, IReadOnlySet<string> CustomerKeys, IReadOnlyList<Entity> Staged)
{
    public bool IsEmpty => Profiles.Count == 0 && Conversations.Count == 0 && Staged.Count == 0;

    /// <summary>The customer as the audit names them: masked, never the full number or BSUID (<see cref="CustomerKey.Mask"/>).</summary>
    public string MaskedKey => CustomerKey.Mask(Requested.Value);

    /// <summary>A conversation not finished yet (open, waiting for a reply, queued or with the bot), if any.</summary>
    public ConversationRow? InService => Conversations.Select(ConversationRow.From).FirstOrDefault(c => c.Stage != ConversationStage.Closed);
}

/// <summary>
/// Finds a customer's <see cref="CustomerRecords"/>: point reads of the profiles by number on every channel, a filtered scan
/// of the profiles for a BSUID, and a filtered scan of the conversations per key (no index by customer exists).
/// </summary>
public sealed class CustomerRecordsReader(LedgerStore ledger, ContactCenterDirectory directory)
{
    private const string CustomerPrefix = "cust|";

    public async Task<CustomerRecords> FindAsync(string tenantId, CustomerKey requested, CancellationToken ct)
    {
        var channels = await directory.GetChannelsOfTenantAsync(tenantId, ct);
        var keys = new HashSet<string>(StringComparer.Ordinal) { requested.Value };
        var pending = new Queue<string>(keys);
        var profiles = new Dictionary<string, CustomerRow>(StringComparer.Ordinal);
        while (pending.TryDequeue(out var key))
        {
            var found = new List<CustomerRow>();
            foreach (var channel in channels)
            {
                if (await ledger.GetCustomerAsync(tenantId, channel.ChannelId, key, ct) is { } profile)
                {
                    found.Add(profile);
                }
            }

            if (!CustomerKey.TryFromWaId(key, out _))
            {
                // A BSUID is also kept on the profiles keyed by number: one filtered scan of the customer rows finds them.
                var rows = await ledger.QueryAllAsync(tenantId, CustomerPrefix, ct, [new PropertyFilter("UserId", FilterOperator.Equal, key)]);
                found.AddRange(rows.Select(CustomerRow.From));
            }

            foreach (var profile in found.Where(p => profiles.TryAdd(Keys.Customer(p.ChannelId, p.CustomerKey), p)))
            {
                foreach (var linked in LinkedKeys(profile).Where(keys.Add))
                {
                    pending.Enqueue(linked);
                }
            }
        }

        // Every conversation under those keys, and the messages the webhook stored (acknowledged to Meta) that the
        // customer's entity has not placed yet: theirs too.
        var conversations = new List<Entity>();
        var staged = new List<Entity>();
        foreach (var key in keys)
        {
            PropertyFilter[] ofKey = [new PropertyFilter("CustomerKey", FilterOperator.Equal, key)];
            conversations.AddRange(await ledger.QueryAllAsync(tenantId, Keys.ConversationPrefix, ct, ofKey));
            staged.AddRange(await ledger.QueryAllAsync(tenantId, Keys.StagedPrefix, ct, ofKey));
        }

        return new CustomerRecords(tenantId, requested, profiles.Values.ToList(), conversations, keys, staged);
    }

    /// <summary>The other keys a profile names its customer by: their BSUID, and the number WhatsApp reported (P6).</summary>
    private static IEnumerable<string> LinkedKeys(CustomerRow profile)
    {
        if (CustomerKey.TryFromUserId(profile.UserId, out var user))
        {
            yield return user.Value;
        }

        foreach (var number in new[] { profile.WaId, profile.SendTo })
        {
            if (CustomerKey.TryFromWaId(number, out var key))
            {
                yield return key.Value;
            }
        }
    }
}
