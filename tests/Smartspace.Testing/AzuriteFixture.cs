using System.Security.Cryptography;
using Xunit;

namespace Smartspace.Testing;

/// <summary>
/// xUnit class/collection fixture around <see cref="AzuriteHost"/>. Give each test class its own
/// table prefix (<see cref="NewTablePrefix"/>) so classes and repeated runs never share tables.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteHost? _host;

    public string ConnectionString => (_host ?? throw new InvalidOperationException("Azurite fixture not initialized.")).ConnectionString;

    public async Task InitializeAsync() => _host = await AzuriteHost.StartAsync().ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A unique, valid table-name prefix: "t" + up to 12 letters/digits of <paramref name="hint"/> + 8 random hex chars.</summary>
    public static string NewTablePrefix(string hint = "")
    {
        var clean = new string(hint.Where(char.IsAsciiLetterOrDigit).Take(12).ToArray());
        return "t" + clean + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
    }
}
