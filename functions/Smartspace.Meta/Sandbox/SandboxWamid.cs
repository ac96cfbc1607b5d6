using System.Security.Cryptography;
using System.Text;

namespace Smartspace.Meta.Sandbox;

/// <summary>
/// Produces ids shaped like Meta's: <c>wamid.</c> + base64 of a small binary record holding the customer's
/// number and a random hex id (e.g. <c>wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYFDNBMEY…</c>).
/// </summary>
internal static class SandboxWamid
{
    public static string New(string customerDigits, bool outbound)
    {
        var phone = Encoding.ASCII.GetBytes(customerDigits.Length > 0x7F ? customerDigits[..0x7F] : customerDigits);
        var id = Encoding.ASCII.GetBytes(Convert.ToHexString(RandomNumberGenerator.GetBytes(10)));
        var bytes = new List<byte>(phone.Length + id.Length + 10) { 0x1C, 0x18, (byte)phone.Length };
        bytes.AddRange(phone);
        bytes.AddRange([0x15, 0x02, 0x00, outbound ? (byte)0x11 : (byte)0x12, 0x18, (byte)id.Length]);
        bytes.AddRange(id);
        bytes.Add(0x00);
        return "wamid." + Convert.ToBase64String(bytes.ToArray());
    }

    /// <summary>A numeric media id like Meta's.</summary>
    public static string NewMediaId() =>
        (RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue) * 10_000_000L + RandomNumberGenerator.GetInt32(0, 10_000_000))
        .ToString(System.Globalization.CultureInfo.InvariantCulture);
}
