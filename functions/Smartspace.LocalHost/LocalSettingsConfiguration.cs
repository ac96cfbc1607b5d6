using System.Text.Json;

namespace Smartspace.LocalHost;

/// <summary>
/// Reads the <c>Values</c> of an Azure Functions <c>local.settings.json</c>-format file into configuration
/// (<c>Section__Key</c> becomes <c>Section:Key</c>), so a laptop run uses the same names as Azure app settings.
/// Added before environment variables, which therefore override it.
/// </summary>
public static class LocalSettingsConfiguration
{
    public const string FileVariable = "SMARTSPACE_SETTINGS_FILE";

    public static IConfigurationBuilder AddLocalSettingsFile(this IConfigurationBuilder builder, string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return builder;
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Settings file '{path}' (from --settings or {FileVariable}) does not exist.", path);
        }

        return builder.AddInMemoryCollection(Read(path));
    }

    public static IReadOnlyDictionary<string, string?> Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (document.RootElement.TryGetProperty("Values", out var values) && values.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in values.EnumerateObject())
            {
                result[property.Name.Replace("__", ":", StringComparison.Ordinal)] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Null => null,
                    _ => property.Value.GetRawText(),
                };
            }
        }

        return result;
    }

    /// <summary>The settings file named by <c>--settings path</c> or <see cref="FileVariable"/>, if any.</summary>
    public static string? FindPath(string[] args)
    {
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--settings")
            {
                return args[i + 1];
            }
        }

        return Environment.GetEnvironmentVariable(FileVariable);
    }
}
