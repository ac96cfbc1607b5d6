namespace Smartspace.Core.Templates;

/// <summary>Maps Meta's status words (<c>APPROVED</c>, <c>PENDING_DELETION</c>…) to <see cref="TemplateStatus"/> and back.</summary>
public static class TemplateStatusNames
{
    private static readonly (string Name, TemplateStatus Status)[] Names =
    [
        ("APPROVED", TemplateStatus.Approved),
        ("PENDING", TemplateStatus.Pending),
        ("REJECTED", TemplateStatus.Rejected),
        ("PAUSED", TemplateStatus.Paused),
        ("DISABLED", TemplateStatus.Disabled),
        ("IN_APPEAL", TemplateStatus.InAppeal),
        ("FLAGGED", TemplateStatus.Flagged),
        ("ARCHIVED", TemplateStatus.Archived),
        ("DELETED", TemplateStatus.Deleted),
        ("PENDING_DELETION", TemplateStatus.PendingDeletion),
        ("LOCKED", TemplateStatus.Locked),
        ("LIMIT_EXCEEDED", TemplateStatus.LimitExceeded),
    ];

    /// <summary>Unknown or missing words map to <see cref="TemplateStatus.Unknown"/> (never sendable).</summary>
    public static TemplateStatus Parse(string? value)
    {
        foreach (var (name, status) in Names)
        {
            if (string.Equals(name, value?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return status;
            }
        }

        return TemplateStatus.Unknown;
    }

    public static string ToMetaName(TemplateStatus status)
    {
        foreach (var (name, s) in Names)
        {
            if (s == status)
            {
                return name;
            }
        }

        return "UNKNOWN";
    }

    /// <summary>
    /// Normalises a language code for comparison: Meta's webhooks may say <c>en-US</c> while sends use <c>en_US</c>.
    /// </summary>
    public static string NormalizeLanguage(string language) => language.Trim().Replace('-', '_');
}
