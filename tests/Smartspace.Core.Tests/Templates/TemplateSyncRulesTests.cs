using Smartspace.Core.Templates;

namespace Smartspace.Core.Tests.Templates;

/// <summary>P5: the catalogue follows Meta's listing, but an incomplete or suddenly empty listing never wipes it.</summary>
public sealed class TemplateSyncRulesTests
{
    private static MessageTemplate T(string name, TemplateStatus status = TemplateStatus.Approved) =>
        new("id-" + name, name, "pt_BR", "UTILITY", status, TemplateParameterFormat.Positional, TemplateHeader.None.Instance, "Olá {{1}}", null, []);

    [Fact]
    public void P5_CompleteListing_AddsChangesAndMarksTheMissingDeleted()
    {
        var decision = TemplateSyncRules.Decide([T("a"), T("b")], [T("a", TemplateStatus.Paused), T("c")], complete: true, emptySeenBefore: false);

        Assert.False(decision.EmptyAwaitingConfirmation);
        Assert.Equal([T("a", TemplateStatus.Paused), T("c"), T("b", TemplateStatus.Deleted)], decision.Changes);
    }

    [Fact]
    public void P5_IncompleteListing_AppliesWhatWasReadButRemovesNothing()
    {
        var decision = TemplateSyncRules.Decide([T("a"), T("b")], [T("a", TemplateStatus.Paused)], complete: false, emptySeenBefore: false);

        Assert.Equal([T("a", TemplateStatus.Paused)], decision.Changes);
    }

    [Fact]
    public void P5_SuddenEmptyListing_KeepsApprovedTemplates_UntilASecondSyncConfirms()
    {
        var first = TemplateSyncRules.Decide([T("a"), T("b", TemplateStatus.Rejected)], [], complete: true, emptySeenBefore: false);
        var second = TemplateSyncRules.Decide([T("a"), T("b", TemplateStatus.Rejected)], [], complete: true, emptySeenBefore: true);

        Assert.True(first.EmptyAwaitingConfirmation);
        Assert.Empty(first.Changes);
        Assert.False(second.EmptyAwaitingConfirmation);
        Assert.Equal([T("a", TemplateStatus.Deleted), T("b", TemplateStatus.Deleted)], second.Changes);
    }

    [Fact]
    public void P5_EmptyListing_WithNoApprovedTemplateStored_NeedsNoConfirmation()
    {
        var decision = TemplateSyncRules.Decide([T("b", TemplateStatus.Rejected)], [], complete: true, emptySeenBefore: false);

        Assert.False(decision.EmptyAwaitingConfirmation);
        Assert.Equal([T("b", TemplateStatus.Deleted)], decision.Changes);
    }
}
