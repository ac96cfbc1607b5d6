using Microsoft.Extensions.Options;
using Smartspace.Core.Phones;
using Smartspace.Core.Templates;

namespace Smartspace.Meta.Sandbox;

/// <summary>
/// The in-memory state of the local Meta sandbox: template catalog, customers' last inbound times (their
/// 24 h windows), old-format (12-digit) accounts, the outbox of sends received and the webhook log.
/// Singleton; every member is thread-safe. The lead's seed code may call the public methods.
/// </summary>
public sealed class MetaSandbox
{
    private readonly object gate = new();
    private readonly List<MessageTemplate> templates = [];
    private readonly Dictionary<(string PhoneNumberId, string Customer), DateTimeOffset> lastInbound = [];
    private readonly Dictionary<(string PhoneNumberId, string Customer), string> lastOutboundWamid = [];
    private readonly HashSet<string> oldAccounts = new(StringComparer.Ordinal);
    private readonly List<SandboxOutboundRecord> outbox = [];
    private readonly List<SandboxWebhookDelivery> deliveries = [];
    private readonly TimeSpan window;

    public MetaSandbox(IOptions<MetaSandboxOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        window = o.ServiceWindow;
        if (o.SeedDefaultTemplates)
        {
            templates.AddRange(SandboxDefaults.Templates);
        }

        foreach (var number in o.OldAccountNumbers)
        {
            MarkOldAccount(number);
        }
    }

    /// <summary>Templates in catalog order.</summary>
    public IReadOnlyList<MessageTemplate> Templates
    {
        get
        {
            lock (gate)
            {
                return templates.ToArray();
            }
        }
    }

    /// <summary>Every send received, oldest first.</summary>
    public IReadOnlyList<SandboxOutboundRecord> Outbox
    {
        get
        {
            lock (gate)
            {
                return outbox.ToArray();
            }
        }
    }

    /// <summary>Every webhook POST made, oldest first.</summary>
    public IReadOnlyList<SandboxWebhookDelivery> WebhookDeliveries
    {
        get
        {
            lock (gate)
            {
                return deliveries.ToArray();
            }
        }
    }

    /// <summary>Replaces the whole catalog (e.g. with the demo contact center's templates).</summary>
    public void ReplaceTemplates(IEnumerable<MessageTemplate> catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        lock (gate)
        {
            templates.Clear();
            templates.AddRange(catalog);
        }
    }

    /// <summary>Adds a template or replaces the one with the same name and language.</summary>
    public void UpsertTemplate(MessageTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        lock (gate)
        {
            var index = templates.FindIndex(t => SameTemplate(t, template.Name, template.Language));
            if (index >= 0)
            {
                templates[index] = template;
            }
            else
            {
                templates.Add(template);
            }
        }
    }

    public MessageTemplate? FindTemplate(string name, string language)
    {
        lock (gate)
        {
            return templates.Find(t => SameTemplate(t, name, language));
        }
    }

    /// <summary>Sets the status of <paramref name="name"/> (one language, or all when null); returns the changed templates.</summary>
    public IReadOnlyList<MessageTemplate> SetTemplateStatus(string name, string? language, TemplateStatus status)
    {
        lock (gate)
        {
            var changed = new List<MessageTemplate>();
            for (var i = 0; i < templates.Count; i++)
            {
                var t = templates[i];
                if (string.Equals(t.Name, name, StringComparison.Ordinal) && (language is null || SameLanguage(t.Language, language)))
                {
                    templates[i] = t with { Status = status };
                    changed.Add(templates[i]);
                }
            }

            return changed;
        }
    }

    /// <summary>Marks a Brazilian mobile (any form) as an account registered before the ninth digit (P6).</summary>
    public void MarkOldAccount(string number)
    {
        if (CustomerKey.TryFromWaId(Digits(number), out var key))
        {
            lock (gate)
            {
                oldAccounts.Add(key.Value);
            }
        }
    }

    /// <summary>
    /// The <c>wa_id</c> WhatsApp reports for <paramref name="toDigits"/>: the 12-digit form for old accounts,
    /// the digits as sent otherwise.
    /// </summary>
    public string ResolveWaId(string toDigits)
    {
        if (!CustomerKey.TryFromWaId(toDigits, out var key))
        {
            return toDigits;
        }

        lock (gate)
        {
            return oldAccounts.Contains(key.Value) && key.LegacyWaId is { } legacy ? legacy : key.Value;
        }
    }

    /// <summary>Records a customer message: it opens (or renews) the customer's window on that channel.</summary>
    public void RecordInbound(string phoneNumberId, string customerDigits, DateTimeOffset at)
    {
        var customer = CustomerId(customerDigits);
        lock (gate)
        {
            lastInbound[(phoneNumberId, customer)] = at;
        }
    }

    public DateTimeOffset? LastInbound(string phoneNumberId, string customerDigits)
    {
        lock (gate)
        {
            return lastInbound.TryGetValue((phoneNumberId, CustomerId(customerDigits)), out var at) ? at : null;
        }
    }

    /// <summary>P4: the window is open while the customer's last message is less than 24 h old.</summary>
    public bool IsWindowOpen(string phoneNumberId, string customerDigits, DateTimeOffset now) =>
        LastInbound(phoneNumberId, customerDigits) is { } last && now - last < window;

    /// <summary>Forgets sends and webhook log (catalog and windows stay).</summary>
    public void ClearOutbox()
    {
        lock (gate)
        {
            outbox.Clear();
            deliveries.Clear();
        }
    }

    internal void Record(SandboxOutboundRecord record)
    {
        lock (gate)
        {
            outbox.Add(record);
            if (record.Wamid is not null)
            {
                lastOutboundWamid[(record.PhoneNumberId, CustomerId(record.To))] = record.Wamid;
            }
        }
    }

    internal string? LastOutboundWamid(string phoneNumberId, string customerDigits)
    {
        lock (gate)
        {
            return lastOutboundWamid.TryGetValue((phoneNumberId, CustomerId(customerDigits)), out var wamid) ? wamid : null;
        }
    }

    internal void Record(SandboxWebhookDelivery delivery)
    {
        lock (gate)
        {
            deliveries.Add(delivery);
            if (deliveries.Count > 10_000)
            {
                deliveries.RemoveRange(0, deliveries.Count - 10_000);
            }
        }
    }

    internal static string Digits(string number) => new(number.Where(char.IsAsciiDigit).ToArray());

    /// <summary>One key per person: a 12-digit old-format wa_id and its 13-digit form are the same customer.</summary>
    private static string CustomerId(string digits) =>
        CustomerKey.TryFromWaId(Digits(digits), out var key) ? key.Value : digits;

    private static bool SameTemplate(MessageTemplate t, string name, string language) =>
        string.Equals(t.Name, name, StringComparison.Ordinal) && SameLanguage(t.Language, language);

    private static bool SameLanguage(string a, string b) =>
        string.Equals(TemplateStatusNames.NormalizeLanguage(a), TemplateStatusNames.NormalizeLanguage(b), StringComparison.OrdinalIgnoreCase);
}
