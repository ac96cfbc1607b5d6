namespace Smartspace.Core.Tests.TestSupport;

/// <summary>Finds files of the repository and of <c>shared/</c> beside it, from the test binaries.</summary>
internal static class RepoPaths
{
    /// <summary>The folder holding Smartspace.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary><c>&lt;root&gt;/../shared/SPEC.md</c>.</summary>
    public static string Spec => Path.GetFullPath(Path.Combine(Root, "..", "shared", "SPEC.md"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Smartspace.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Smartspace.sln above {AppContext.BaseDirectory}.");
    }
}
