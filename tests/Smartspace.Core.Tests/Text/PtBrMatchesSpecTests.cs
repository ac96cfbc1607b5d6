using System.Reflection;
using System.Text.RegularExpressions;
using Smartspace.Core.Tests.TestSupport;
using Smartspace.Core.Text;

namespace Smartspace.Core.Tests.Text;

/// <summary>STYLE §11: user-facing pt-BR lives in <see cref="PtBr"/> and matches SPEC.md exactly.</summary>
public sealed partial class PtBrMatchesSpecTests
{
    private static readonly Lazy<string> Spec = new(() => File.ReadAllText(RepoPaths.Spec));

    public static TheoryData<string, string, string> SpecStrings => new()
    {
        { "R3", nameof(PtBr.InvalidNumber), "Número inválido, corrija e tente novamente" },
        { "R12", nameof(PtBr.AttentionTitle), "Atenção!" },
        { "R12", nameof(PtBr.AgentAtCapacity), "Não foi possível iniciar a conversa. O número máximo de atendimentos simultâneos foi atingido." },
        { "R13", nameof(PtBr.CustomerInService), "Não foi possível iniciar a conversa. O cliente está sendo atendido por outro agente." },
        { "R18", nameof(PtBr.ConnectionLostBadge), "Perda de Conexão" },
        { "R18", nameof(PtBr.ConnectionLostAlert), "Perda de conexão. Você está offline. Aguarde um instante para realizar o envio de mensagens" },
    };

    [Theory]
    [MemberData(nameof(SpecStrings))]
    public void R3_R12_R13_R18_SpecString_IsQuotedInSpecAndEqualsConstant(string rule, string constant, string expected)
    {
        // SPEC.md quotes exact texts in backticks; R18's badge is the one it quotes in double quotes.
        var quoted = Spec.Value.Contains($"`{expected}`", StringComparison.Ordinal)
            || Spec.Value.Contains($"\"{expected}\"", StringComparison.Ordinal);
        Assert.True(quoted, $"{rule}: SPEC.md does not quote \"{expected}\" verbatim.");
        Assert.Equal(expected, Constants()[constant]);
    }

    [Fact]
    public void R3_R12_R13_R18_EveryPtBrSentenceQuotedInSpec_IsAPtBrConstant()
    {
        var constants = Constants().Values.ToHashSet(StringComparer.Ordinal);
        var quoted = BacktickSpan().Matches(Spec.Value).Select(m => m.Groups[1].Value).Where(IsPtBrText).Distinct().ToList();

        Assert.NotEmpty(quoted);
        Assert.All(quoted, text => Assert.True(constants.Contains(text), $"SPEC.md quotes `{text}` but PtBr has no such constant."));
    }

    [Fact]
    public void R3_R12_R13_R18_PtBrTextRule_PicksSentencesNotCode()
    {
        Assert.True(IsPtBrText("Atenção!"));
        Assert.True(IsPtBrText("Perda de conexão. Você está offline."));
        Assert.False(IsPtBrText("agent_at_capacity"));
        Assert.False(IsPtBrText("(11)999999999"));
        Assert.False(IsPtBrText("X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body"));
        Assert.False(IsPtBrText("seed/000_cac809211d88fa54.txt"));
    }

    [Fact]
    public void PtBr_ConstantsAreNonEmptyAndDistinct()
    {
        var values = Constants().Values.ToList();
        Assert.All(values, v => Assert.False(string.IsNullOrWhiteSpace(v)));
        Assert.Equal(values.Count, values.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData(131047, nameof(PtBr.MetaReengagement131047))]
    [InlineData(131026, nameof(PtBr.MetaUndeliverable131026))]
    [InlineData(132000, nameof(PtBr.MetaTemplateParams132000))]
    [InlineData(132012, nameof(PtBr.MetaTemplateFormat132012))]
    [InlineData(131049, nameof(PtBr.MetaEcosystem131049))]
    [InlineData(130429, nameof(PtBr.MetaUnknownError))] // only while retrying does the agent read MetaRateLimited130429
    [InlineData(131056, nameof(PtBr.MetaPairRateLimited131056))]
    [InlineData(131000, nameof(PtBr.MetaUnknownError))]
    [InlineData(0, nameof(PtBr.MetaUnknownError))]
    public void P4_MetaErrorCode_MapsToItsAgentText(int code, string constant) =>
        Assert.Equal(Constants()[constant], PtBr.ForMetaError(code));

    /// <summary>
    /// A backtick span is pt-BR text when it has a non-ASCII letter, or is at least three words of
    /// letters and sentence punctuation only (no code characters such as _ / = &lt; digits).
    /// </summary>
    private static bool IsPtBrText(string span) =>
        span.Any(c => c > 127 && char.IsLetter(c))
        || (span.Count(c => c == ' ') >= 2 && span.All(c => char.IsLetter(c) || c is ' ' or ',' or '.' or '!' or '?'));

    private static Dictionary<string, string> Constants() =>
        typeof(PtBr).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!);

    [GeneratedRegex("`([^`\n]+)`")]
    private static partial Regex BacktickSpan();
}
