namespace Smartspace.Testing;

/// <summary>Paths of the repository (the folder holding Smartspace.sln) and of ../shared next to it.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Smartspace.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException($"Smartspace.sln not found above {AppContext.BaseDirectory}.");
    });

    public static string RepoRoot => Root.Value;

    /// <summary>The shared folder next to the repository (SPEC.md, DESIGN.md, reference/).</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string NodeBin(string tool) => Path.Combine(RepoRoot, "node_modules", ".bin", tool);
}
