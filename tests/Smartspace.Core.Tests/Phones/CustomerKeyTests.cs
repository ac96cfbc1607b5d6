using Smartspace.Core.Phones;

namespace Smartspace.Core.Tests.Phones;

public sealed class CustomerKeyTests
{
    [Theory]
    [InlineData("551187654321", "5511987654321")] // wa_id without the ninth digit
    [InlineData("5511987654321", "5511987654321")]
    [InlineData("+5511987654321", "5511987654321")]
    [InlineData("552176543210", "5521976543210")] // first local digit 7
    [InlineData("558496543210", "5584996543210")] // first local digit 9 (8-digit 9XXXXXXX)
    [InlineData("553166543210", "5531966543210")] // first local digit 6
    public void P6_TwelveDigitBrazilianMobile_CanonicalisesToThirteen(string waId, string expected) =>
        Assert.Equal(expected, CustomerKey.FromWaId(waId).Value);

    [Fact]
    public void P6_TwelveAndThirteenDigitForms_AreTheSameCustomer_BothWays()
    {
        var fromWebhook = CustomerKey.FromWaId("551187654321");
        var typed = CustomerKey.FromPhone(BrazilianPhoneNumber.Check("(11) 98765-4321"));

        Assert.Equal(typed, fromWebhook);
        Assert.Equal(fromWebhook, CustomerKey.FromWaId("5511987654321"));
        Assert.Equal(typed.GetHashCode(), fromWebhook.GetHashCode());
        Assert.Equal("551187654321", typed.LegacyWaId);
        Assert.Equal("551187654321", fromWebhook.LegacyWaId);
    }

    [Theory]
    [InlineData("551133334444")]
    [InlineData("552125554444")]
    [InlineData("555153334444")]
    [InlineData("554142224444")]
    public void P6_TwelveDigitLandline_StaysAsIsAndIsNeverMerged(string waId)
    {
        var key = CustomerKey.FromWaId(waId);

        Assert.Equal(waId, key.Value);
        Assert.Null(key.LegacyWaId);
        Assert.NotEqual(key, CustomerKey.FromWaId(waId[..4] + "9" + waId[4..]));
    }

    [Fact]
    public void P6_TypedLandline_KeysToTwelveDigits()
    {
        var key = CustomerKey.FromPhone(BrazilianPhoneNumber.Check("1133334444"));
        Assert.Equal("551133334444", key.Value);
        Assert.Equal(key, CustomerKey.FromWaId("551133334444"));
    }

    [Theory]
    [InlineData("16505551234")] // US
    [InlineData("351912345678")] // Portugal, 12 digits
    [InlineData("5491123456789")] // Argentina
    [InlineData("447700900123")] // UK, 12 digits
    public void P6_NonBrazilianNumber_IsItsDigits(string waId) =>
        Assert.Equal(waId, CustomerKey.FromWaId(waId).Value);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1234567")]
    [InlineData("1234567890123456")]
    [InlineData("55 11 98765-4321")]
    [InlineData("BR.1502576394655843")]
    public void P6_NotAWaId_IsRefused(string? waId)
    {
        Assert.False(CustomerKey.TryFromWaId(waId, out var key));
        Assert.Null(key);
    }

    [Fact]
    public void P6_FromWaId_ThrowsOnlyForProgrammerErrors() =>
        Assert.Throws<ArgumentException>(() => CustomerKey.FromWaId("abc"));

    [Fact]
    public void R2_FromPhone_RefusesAnInvalidCheck() =>
        Assert.Throws<ArgumentException>(() => CustomerKey.FromPhone(BrazilianPhoneNumber.Check("1199999999")));

    [Fact]
    public void P6_UserId_IsAKeyOfItsOwnKind()
    {
        Assert.True(CustomerKey.TryFromUserId("BR.1502576394655843", out var key));
        Assert.True(key.IsUserId);
        Assert.Equal("BR.1502576394655843", key.Value);
        Assert.Null(key.LegacyWaId);
        Assert.False(CustomerKey.TryFromUserId(" ", out _));
        Assert.False(CustomerKey.FromWaId("5511987654321").IsUserId);
    }

    [Theory]
    [InlineData("5511987654321", "+55 11 9****-4321")]
    [InlineData("+5511987654321", "+55 11 9****-4321")]
    [InlineData("551133334444", "+55 11 3***-4444")]
    [InlineData("16505551234", "+1 ******1234")]
    [InlineData("447700900123", "+44 ******0123")]
    [InlineData("1234", "****")]
    [InlineData("", "")]
    [InlineData(null, "")]
    [InlineData("BR.1502576394655843", "BR.****5843")]
    public void P2_Mask_HidesAllButCountryDddFirstAndLastFour(string? input, string expected) =>
        Assert.Equal(expected, CustomerKey.Mask(input));

    [Fact]
    public void P2_Mask_NeverRevealsMoreThanTheLastFourSubscriberDigits()
    {
        var random = new Random(7);
        for (var i = 0; i < 2_000; i++)
        {
            var national = random.Next(2) == 0
                ? random.NextInt64(10_000_000_000, 99_999_999_999) // DDD + 9 digits
                : random.NextInt64(1_000_000_000, 9_999_999_999); // DDD + 8 digits
            var digits = "55" + national.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var masked = CustomerKey.Mask(digits);
            Assert.StartsWith("+55 " + digits[2..4] + " " + digits[4], masked, StringComparison.Ordinal);
            Assert.EndsWith("-" + digits[^4..], masked, StringComparison.Ordinal);
            Assert.Equal(9, masked.Count(char.IsAsciiDigit)); // 55, DDD, first local digit, last four
        }
    }

    [Fact]
    public void P2_KeyToString_IsMasked() =>
        Assert.Equal("+55 11 9****-4321", CustomerKey.FromWaId("551187654321").ToString());
}
