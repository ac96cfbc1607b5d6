using Smartspace.Functions.Features.History;

namespace Smartspace.Functions.Tests.Features.Conversations;

/// <summary>R17 as agents type: names without accents or case, numbers in full or by their last digits.</summary>
public sealed class HistorySearchTests
{
    [Theory]
    [InlineData("Conceição Araújo", "conceicao", true)]
    [InlineData("Conceição Araújo", "CONCEIÇÃO ARAUJO", true)]
    [InlineData("Conceição Araújo", "araú", true)]
    [InlineData("Conceição Araújo", "conceicoes", false)]
    [InlineData("Maria", "joao", false)]
    [InlineData(null, "joao", false)]
    public void R17_NameMatches_WithoutAccentsOrCase(string? name, string typed, bool matches) =>
        Assert.Equal(matches, HistorySearch.NameMatches(name, typed));

    [Theory]
    [InlineData("11987654321", "5511987654321", null)]
    [InlineData("+55 (11) 98765-4321", "5511987654321", null)]
    [InlineData("551187654321", "5511987654321", null)] // P6: the 12-digit form is the same customer
    [InlineData("4321", null, "4321")]
    [InlineData("98765-4321", null, "987654321")]
    [InlineData("1198765", null, "1198765")] // not complete: matched as the end of a number
    [InlineData("123", null, null)]
    [InlineData("abc1234", null, null)]
    public void R17_ParseNumber_FullNumberIsTheKey_ShorterIsTheEnding(string typed, string? key, string? ending)
    {
        var (parsedKey, parsedEnding) = HistorySearch.ParseNumber(typed);

        Assert.Equal(key, parsedKey);
        Assert.Equal(ending, parsedEnding);
    }
}
