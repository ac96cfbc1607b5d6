using System.Security.Cryptography;
using System.Text;
using Smartspace.Meta.Signing;

namespace Smartspace.Meta.Tests.Signing;

public sealed class MetaSignatureTests
{
    private const string Secret = "app-secret";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"object":"whatsapp_business_account","text":"Olá 👍"}""");

    [Fact]
    public void P2_Compute_IsPrefixedLowercaseHexHmacOfExactBytes()
    {
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Body));

        Assert.Equal(expected, MetaSignature.Compute(Secret, Body));
    }

    [Fact]
    public void P2_Verify_AcceptsCorrectSignature_UpperOrLowerHex()
    {
        var header = MetaSignature.Compute(Secret, Body);

        Assert.True(MetaSignature.Verify(Secret, Body, header));
        Assert.True(MetaSignature.Verify(Secret, Body, "sha256=" + header["sha256=".Length..].ToUpperInvariant()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha1=abc")]
    [InlineData("sha256=")]
    [InlineData("sha256=zz")]
    public void P2_Verify_RejectsMissingOrMalformedHeader(string? header)
    {
        Assert.False(MetaSignature.Verify(Secret, Body, header));
    }

    [Fact]
    public void P2_Verify_RejectsUnprefixedHex_WrongSecret_ChangedBody_AndNoSecret()
    {
        var header = MetaSignature.Compute(Secret, Body);

        Assert.False(MetaSignature.Verify(Secret, Body, header["sha256=".Length..]));
        Assert.False(MetaSignature.Verify("other-secret", Body, header));
        Assert.False(MetaSignature.Verify(Secret, Encoding.UTF8.GetBytes("""{"object":"whatsapp_business_account","text":"Ola 👍"}"""), header));
        Assert.False(MetaSignature.Verify("", Body, header));
        Assert.False(MetaSignature.Verify(null, Body, header));
    }
}
