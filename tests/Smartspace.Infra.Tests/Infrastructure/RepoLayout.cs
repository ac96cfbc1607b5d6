using System.Text.Json.Nodes;

namespace Smartspace.Infra.Tests.Infrastructure;

/// <summary>Paths of the repository, found by walking up from the test assembly to Smartspace.sln.</summary>
public static class RepoLayout
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    public static string InfraDir => Path.Combine(Root, "infra");

    public static string MainBicep => Path.Combine(InfraDir, "main.bicep");


    public static IReadOnlyList<string> BicepFiles() =>
        Directory.EnumerateFiles(InfraDir, "*.bicep", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    public static IReadOnlyList<string> ParamFiles() =>
        Directory.EnumerateFiles(InfraDir, "*.bicepparam", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    public static JsonObject ReadJsonObject(string path) =>
        JsonNode.Parse(File.ReadAllText(path), documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Smartspace.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Smartspace.sln not found above {AppContext.BaseDirectory}.");
    }
}
