using Smartspace.Core.Phones;
using Smartspace.Core.Text;

namespace Smartspace.Core.Tests.Phones;

public sealed class BrazilianPhoneNumberTests
{
    [Theory]
    [InlineData("11999999999")]
    [InlineData("(11)999999999")]
    [InlineData("(11)99999-9999")]
    [InlineData("(11) 99999-9999")]
    [InlineData("+55 11 99999-9999")]
    [InlineData("+55 (11) 99999.9999")]
    [InlineData("5511999999999")]
    [InlineData("+5511999999999")]
    [InlineData("011999999999")]
    [InlineData("011 99999-9999")]
    [InlineData(" 11 99999 9999 ")]
    public void R2_TypedMobileVariants_NormaliseToOneE164(string typed)
    {
        var check = BrazilianPhoneNumber.Check(typed);

        Assert.True(check.IsValid);
        Assert.True(check.IsComplete);
        Assert.Equal("+5511999999999", check.E164);
        Assert.Equal("5511999999999", check.Digits);
        Assert.Equal(PhoneKind.Mobile, check.Kind);
        Assert.Equal("11", check.Ddd);
        Assert.Null(check.ErrorCode);
        Assert.Null(check.ErrorText);
        Assert.False(check.ShowsError);
    }

    [Theory]
    [InlineData("1133334444", "+551133334444", "11")]
    [InlineData("(21) 3333-4444", "+552133334444", "21")]
    [InlineData("+55 51 3333-4444", "+555133334444", "51")]
    [InlineData("551133334444", "+551133334444", "11")]
    [InlineData("5533334444", "+555533334444", "55")]
    public void R4_LandlineWithTenDigits_IsValid(string typed, string e164, string ddd)
    {
        var check = BrazilianPhoneNumber.Check(typed);

        Assert.True(check.IsValid);
        Assert.Equal(e164, check.E164);
        Assert.Equal(PhoneKind.Landline, check.Kind);
        Assert.Equal(ddd, check.Ddd);
    }

    [Fact]
    public void R2_DddFiftyFiveMobile_KeepsItsDdd()
    {
        // 11 digits starting with 55 is DDD 55 (RS), not the country code.
        var check = BrazilianPhoneNumber.Check("55999999999");

        Assert.True(check.IsValid);
        Assert.Equal("+5555999999999", check.E164);
        Assert.Equal("55", check.Ddd);
    }

    [Theory]
    [InlineData("119999999999")] // mobile with 12 digits
    [InlineData("11888887777")] // DDD + 8XXXXXXXX is not an assigned range
    [InlineData("1177776666")] // old 8-digit mobile starting with 7
    [InlineData("11677776666")]
    public void R3_MobileWithWrongLengthOrRange_IsInvalidWithPtBrText(string typed)
    {
        var check = BrazilianPhoneNumber.Check(typed);

        Assert.False(check.IsValid);
        Assert.True(check.IsComplete);
        Assert.True(check.ShowsError);
        Assert.Equal(PhoneKind.Mobile, check.Kind);
        Assert.Equal("invalid_number", check.ErrorCode);
        Assert.Equal(PtBr.InvalidNumber, check.ErrorText);
        Assert.Null(check.E164);
    }

    /// <summary>
    /// A number still being typed — a mobile with fewer than 11 digits (R3), a landline with fewer than 10 (R4) —
    /// is incomplete, so a console never shows R3's text under it; the server still refuses it (R5).
    /// </summary>
    [Theory]
    [InlineData("119", PhoneKind.Mobile)]
    [InlineData("11987", PhoneKind.Mobile)]
    [InlineData("1199999999", PhoneKind.Mobile)] // one digit short
    [InlineData("(11) 9999-9999", PhoneKind.Mobile)]
    [InlineData("+55 11 9999", PhoneKind.Mobile)]
    [InlineData("1188887777", PhoneKind.Mobile)]
    [InlineData("113333444", PhoneKind.Landline)]
    [InlineData("11333", PhoneKind.Landline)]
    [InlineData("113", PhoneKind.Landline)]
    [InlineData("(11) 3333-444", PhoneKind.Landline)]
    public void R3_R4_NumberStillBeingTyped_IsIncompleteWithoutText(string typed, PhoneKind kind)
    {
        var check = BrazilianPhoneNumber.Check(typed);

        Assert.False(check.IsValid);
        Assert.False(check.IsComplete);
        Assert.False(check.ShowsError);
        Assert.Equal(kind, check.Kind);
        Assert.Equal("invalid_number", check.ErrorCode);
        Assert.Equal(PtBr.InvalidNumber, check.ErrorText);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("1")]
    [InlineData("11")]
    [InlineData("(11")]
    [InlineData("+")]
    [InlineData("+5")]
    [InlineData("0")]
    public void R5_NothingOrOnlyAPrefix_IsIncomplete(string typed)
    {
        var check = BrazilianPhoneNumber.Check(typed);

        Assert.False(check.IsValid);
        Assert.False(check.IsComplete);
        Assert.False(check.ShowsError);
    }

    [Fact]
    public void R5_Null_IsIncomplete() => Assert.False(BrazilianPhoneNumber.Check(null).IsComplete);

    [Theory]
    [InlineData("00999999999")] // DDD 00
    [InlineData("20999999999")] // DDD 20 does not exist
    [InlineData("2033334444")]
    [InlineData("10999999999")]
    [InlineData("23999999999")]
    [InlineData("25333344444")]
    [InlineData("30999999999")]
    [InlineData("39999999999")]
    [InlineData("50999999999")]
    [InlineData("52999999999")]
    [InlineData("72999999999")]
    [InlineData("76999999999")]
    [InlineData("78999999999")]
    [InlineData("80999999999")]
    [InlineData("90999999999")]
    [InlineData("20")]
    public void R4_NonexistentDdd_IsInvalidWithPtBrText(string typed)
    {
        var check = BrazilianPhoneNumber.Check(typed);

        Assert.False(check.IsValid);
        Assert.True(check.ShowsError);
        Assert.Equal(PtBr.InvalidNumber, check.ErrorText);
    }

    [Theory]
    [InlineData("11099999999")] // first local digit 0
    [InlineData("1113333444")] // first local digit 1
    [InlineData("113333444455")] // landline with 12 digits (not a 55 prefix)
    [InlineData("11 9999a9999")]
    [InlineData("11_999999999")]
    [InlineData("+1 415 555 0100")] // foreign: this field takes Brazilian numbers only
    [InlineData("+351 912 345 678")]
    [InlineData("++5511999999999")]
    [InlineData("11+999999999")]
    [InlineData("１１９９９９９９９９９")] // full-width digits
    public void R3_GarbageOrForeignNumber_IsInvalidWithPtBrText(string typed)
    {
        var check = BrazilianPhoneNumber.Check(typed);

        Assert.False(check.IsValid);
        Assert.True(check.ShowsError);
        Assert.Equal("invalid_number", check.ErrorCode);
    }

    [Fact]
    public void R3_VeryLongInput_IsInvalidNotAnException()
    {
        var check = BrazilianPhoneNumber.Check(new string('9', 10_000));
        Assert.False(check.IsValid);
        Assert.True(check.ShowsError);
    }

    [Fact]
    public void R4_EveryOfficialDdd_AcceptsAMobileAndALandline()
    {
        Assert.Equal(67, BrazilianPhoneNumber.Ddds.Count);
        foreach (var ddd in BrazilianPhoneNumber.Ddds)
        {
            Assert.True(BrazilianPhoneNumber.Check(ddd + "987654321").IsValid, ddd + " mobile");
            Assert.True(BrazilianPhoneNumber.Check(ddd + "33334444").IsValid, ddd + " landline");
        }
    }

    [Fact]
    public void R4_EveryOtherTwoDigitDdd_IsInvalid()
    {
        for (var n = 0; n < 100; n++)
        {
            var ddd = n.ToString("00", System.Globalization.CultureInfo.InvariantCulture);
            // A leading 0 is a trunk prefix (R2): "01987654321" is 0 + DDD 19 + a mobile one digit short, still being typed.
            if (!BrazilianPhoneNumber.Ddds.Contains(ddd) && ddd[0] != '0')
            {
                Assert.True(BrazilianPhoneNumber.Check(ddd + "987654321").ShowsError, ddd);
            }
        }
    }

    [Fact]
    public void R2_R3_R4_RandomInputs_AgreeWithTheRules()
    {
        // Property: for any digits typed, Check never throws, a valid result round-trips through its
        // own E164, and validity agrees with the length rule of its kind.
        var random = new Random(20261124);
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(0, 15);
            var chars = new char[length];
            for (var j = 0; j < length; j++)
            {
                chars[j] = (char)('0' + random.Next(10));
            }

            var typed = new string(chars);
            var check = BrazilianPhoneNumber.Check(typed);
            if (check.IsValid)
            {
                Assert.Equal(check.E164, BrazilianPhoneNumber.Check(check.E164).E164);
                Assert.Equal(check.Digits, BrazilianPhoneNumber.Check(Format(check.Digits[2..])).Digits);
                Assert.Equal(check.Kind == PhoneKind.Mobile ? 13 : 12, check.Digits.Length);
                Assert.Contains(check.Ddd, (IReadOnlySet<string>)BrazilianPhoneNumber.Ddds);
                Assert.True(check.Kind == PhoneKind.Mobile ? check.Digits[4] == '9' : check.Digits[4] is >= '2' and <= '5');
            }
            else
            {
                Assert.Equal(!check.IsComplete, !check.ShowsError);
                Assert.Null(check.E164);
            }
        }
    }

    [Fact]
    public void R2_TryParse_ReturnsTheNumberOnlyWhenValid()
    {
        Assert.True(BrazilianPhoneNumber.TryParse("(11)99999-9999", out var number));
        Assert.Equal("11999999999", number.National);
        Assert.Equal("999999999", number.Local);
        Assert.Equal("+5511999999999", number.ToString());
        Assert.False(BrazilianPhoneNumber.TryParse("1199999999", out var none));
        Assert.Null(none);
    }

    private static string Format(string national) =>
        national.Length == 11
            ? $"({national[..2]}) {national[2..7]}-{national[7..]}"
            : $"({national[..2]}) {national[2..6]}-{national[6..]}";
}
