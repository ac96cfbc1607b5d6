using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Features.Hosting;

/// <summary>
/// Settings (STYLE §7): every key of <c>local.settings.sample.json</c> is read by the handler — a property of
/// an options class bound to its section, or one of the few documented environment variables — and invalid
/// options stop the host at start with every error listed.
/// </summary>
public sealed class SettingsTests
{
    /// <summary>Read by the Functions host or by the handler directly, not through an options class.</summary>
    private static readonly HashSet<string> DocumentedVariables = new(StringComparer.Ordinal)
    {
        "FUNCTIONS_WORKER_RUNTIME",
        "AzureWebJobsStorage",
        "ASPNETCORE_ENVIRONMENT",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
    };

    /// <summary>The options types the handler binds to configuration, by their section (the type's <c>Section</c>/<c>SectionName</c> constant).</summary>
    private static Dictionary<string, Type> BoundOptions()
    {
        IServiceCollection? captured = null;
        using var factory = new HandlerFactory().WithWebHostBuilder(b => b.ConfigureTestServices(services => captured = services));
        _ = factory.Services;
        var bound = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase);
        foreach (var descriptor in captured!)
        {
            if (descriptor.ServiceType.IsGenericType && descriptor.ServiceType.GetGenericTypeDefinition() == typeof(IConfigureOptions<>)
                && descriptor.ImplementationInstance?.GetType() is { IsGenericType: true } implementation
                && implementation.GetGenericTypeDefinition() == typeof(Microsoft.Extensions.Options.NamedConfigureFromConfigurationOptions<>))
            {
                var options = descriptor.ServiceType.GetGenericArguments()[0];
                var section = options.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string
                    ?? options.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string;
                if (section is not null)
                {
                    bound[section] = options;
                }
            }
        }

        return bound;
    }

    [Fact]
    public void Hosting_EverySampleSetting_IsABoundOptionOrADocumentedVariable()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "local.settings.sample.json")));
        var bound = BoundOptions();
        Assert.NotEmpty(bound);

        var unread = new List<string>();
        foreach (var key in sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name))
        {
            if (DocumentedVariables.Contains(key))
            {
                continue;
            }

            var parts = key.Split("__");
            if (parts.Length != 2 || !bound.TryGetValue(parts[0], out var options)
                || options.GetProperty(parts[1], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is not { CanWrite: true })
            {
                unread.Add(key);
            }
        }

        Assert.True(unread.Count == 0, $"Not bound by the handler (bound sections: {string.Join(", ", bound.Keys.Order())}): {string.Join(", ", unread)}");
    }

    [Fact]
    public void Hosting_InvalidOptions_StopTheHostListingEveryError()
    {
        using var factory = new HandlerFactory(overrides: new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = "too-short",
            ["Auth:Audience"] = "",
            ["Timers:WindowExpiryInterval"] = "00:00:00",
            ["Storage:TablePrefix"] = "9-not-valid",
        });

        var error = Assert.ThrowsAny<Exception>(() => factory.Services);
        var text = error.ToString();

        Assert.Contains("Auth:SigningKey must be at least 32 bytes", text, StringComparison.Ordinal);
        Assert.Contains("Auth:Audience is required", text, StringComparison.Ordinal);
        Assert.Contains("Timers:WindowExpiryInterval must be positive", text, StringComparison.Ordinal);
        Assert.Contains("Storage:TablePrefix '9-not-valid'", text, StringComparison.Ordinal);
    }
}
