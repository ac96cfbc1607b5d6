using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Features;
using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Features.Errors;

/// <summary>
/// The one refusal → ProblemDetails mapper (STYLE §8) against SPEC.md itself: the pt-BR <c>detail</c> an
/// agent sees for R12/R13 is the backtick-quoted text of that rule, with the rule's code, under the
/// alert title the spec names; every refusal is a 4xx with a code and a detail.
/// </summary>
public sealed partial class ApiProblemsMatchSpecTests
{
    private static readonly Lazy<string> Spec = new(() => File.ReadAllText(Path.Combine(RepoPaths.Shared, "SPEC.md")));

    /// <summary>The backtick-quoted spans of one rule's bullet ("- **R12** …" up to the next bullet or heading).</summary>
    private static List<string> QuotedIn(string rule)
    {
        var match = Regex.Match(Spec.Value, @"^- \*\*" + rule + @"\*\*(?<text>.*?)(?=^- \*\*|^#|\z)", RegexOptions.Singleline | RegexOptions.Multiline);
        Assert.True(match.Success, $"SPEC.md has no bullet for {rule}.");
        return Backticks().Matches(match.Groups["text"].Value).Select(m => m.Groups[1].Value).ToList();
    }

    [Theory]
    [InlineData("R12", RefusalCode.AgentAtCapacity)]
    [InlineData("R13", RefusalCode.CustomerInService)]
    public void R12_R13_RefusalDetail_IsTheTextQuotedInSpec(string rule, RefusalCode code)
    {
        var quoted = QuotedIn(rule);
        var text = Assert.Single(quoted, q => q.Contains(' ', StringComparison.Ordinal));
        var specCode = Assert.Single(quoted, q => !q.Contains(' ', StringComparison.Ordinal));
        var alertTitle = Regex.Match(Spec.Value, @"alert box titled `(?<title>[^`]+)`").Groups["title"].Value;

        var problem = Assert.IsType<ProblemHttpResult>(ApiProblems.Refusal(code)).ProblemDetails;

        Assert.Equal(text, problem.Detail);
        Assert.Equal(specCode, problem.Extensions["code"]);
        Assert.Equal(alertTitle, problem.Title);
        Assert.Equal(409, problem.Status);
    }

    [Fact]
    public void R3_InvalidNumberDetail_IsTheTextQuotedInSpec()
    {
        var text = Assert.Single(QuotedIn("R3"));
        var problem = Assert.IsType<ProblemHttpResult>(ApiProblems.Refusal(RefusalCode.InvalidNumber)).ProblemDetails;

        Assert.Equal(text, problem.Detail);
        Assert.Equal("invalid_number", problem.Extensions["code"]);
        Assert.Equal(400, problem.Status);
    }

    [Fact]
    public void Errors_EveryRefusal_IsA4xxWithItsCodeAndAPtBrDetail()
    {
        foreach (var code in Enum.GetValues<RefusalCode>())
        {
            var problem = Assert.IsType<ProblemHttpResult>(ApiProblems.Refusal(code)).ProblemDetails;
            Assert.InRange(problem.Status ?? 0, 400, 499);
            Assert.Equal(code.ToCode(), problem.Extensions["code"]);
            Assert.False(string.IsNullOrWhiteSpace(problem.Detail), code.ToString());
        }
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticks();
}
