using Smartspace.Core.Phones;

namespace Smartspace.Functions.Features.Numbers;

public sealed record NumberCheckRequest(string? Number);

/// <summary>
/// R2–R5: the verdict a client needs to show the pt-BR error under "Para" and to enable "+Criar Conversa".
/// <c>State</c> is <c>incomplete</c> while the agent is still typing (no text to show, "+Criar Conversa"
/// disabled), <c>invalid</c> when the number cannot become valid (show <c>Error</c>), or <c>valid</c>.
/// </summary>
public sealed record NumberCheckResponse(bool Valid, bool Complete, string State, string? E164, string? Kind, string? Ddd, string? Code, string? Error, bool CanCreate);

public static class NumberCheck
{
    public static NumberCheckResponse Check(string? typed)
    {
        var check = BrazilianPhoneNumber.Check(typed);
        return new NumberCheckResponse(
            check.IsValid,
            check.IsComplete,
            check.IsValid ? "valid" : check.IsComplete ? "invalid" : "incomplete",
            check.E164,
            check.Kind switch { PhoneKind.Mobile => "mobile", PhoneKind.Landline => "landline", _ => null },
            check.Ddd,
            check.ErrorCode,
            check.ShowsError ? check.ErrorText : null,
            check.IsValid);
    }
}
