namespace Smartspace.Core.Templates;

/// <summary>What a template sync changes in the catalogue of one account.</summary>
/// <param name="Changes">Templates to store (new, changed, or marked DELETED).</param>
/// <param name="EmptyAwaitingConfirmation">
/// Meta listed no template at all while approved ones are stored: nothing is removed until a second sync confirms it.
/// </param>
public sealed record TemplateSyncDecision(IReadOnlyList<MessageTemplate> Changes, bool EmptyAwaitingConfirmation);

/// <summary>
/// P5: the catalogue follows Meta's listing (pure). A template Meta no longer lists was deleted there and must stop
/// being offered — but only a complete listing proves an absence, and a listing that is suddenly empty removes approved
/// templates only when the sync before it was empty too.
/// </summary>
public static class TemplateSyncRules
{
    /// <param name="known">The stored catalogue of the account.</param>
    /// <param name="listed">What Meta listed (every page when <paramref name="complete"/>, else the pages read).</param>
    /// <param name="emptySeenBefore">The previous sync of this account also found an empty listing.</param>
    public static TemplateSyncDecision Decide(IReadOnlyCollection<MessageTemplate> known, IReadOnlyList<MessageTemplate> listed, bool complete, bool emptySeenBefore)
    {
        var byKey = known.ToDictionary(t => (t.Name, t.Language));
        var changes = listed.Where(t => !(byKey.TryGetValue((t.Name, t.Language), out var existing) && existing == t)).ToList();
        if (!complete)
        {
            return new TemplateSyncDecision(changes, false);
        }

        if (listed.Count == 0 && !emptySeenBefore && known.Any(t => t.Status == TemplateStatus.Approved))
        {
            return new TemplateSyncDecision([], true);
        }

        var present = listed.Select(t => (t.Name, t.Language)).ToHashSet();
        changes.AddRange(known.Where(t => !present.Contains((t.Name, t.Language)) && t.Status != TemplateStatus.Deleted)
            .Select(t => t with { Status = TemplateStatus.Deleted }));
        return new TemplateSyncDecision(changes, false);
    }
}
