namespace Smartspace.Infra.Tests.Infrastructure;

/// <summary>
/// One Bicep CLI process per command for the whole infra folder (--pattern), run once per test run
/// and shared by all tests: starting the CLI costs seconds, and tests only read the results.
/// </summary>
public static class BicepRuns
{
    private static readonly Lazy<string> LazyOutDir = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "smartspace-infra-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    });

    private static readonly Lazy<BicepResult> LazyBuild = new(() =>
        BicepCli.Run("build", "--pattern", Glob("*.bicep"), "--outdir", OutDir));

    private static readonly Lazy<BicepResult> LazyBuildParams = new(() =>
        BicepCli.Run("build-params", "--pattern", Glob("*.bicepparam"), "--outdir", OutDir));

    private static readonly Lazy<BicepResult> LazyLintBicep = new(() =>
        BicepCli.Run("lint", "--pattern", Glob("*.bicep")));

    private static readonly Lazy<BicepResult> LazyLintParams = new(() =>
        BicepCli.Run("lint", "--pattern", Glob("*.bicepparam")));

    /// <summary>Compiled JSON goes here (outside the repository), mirroring infra/'s folders.</summary>
    public static string OutDir => LazyOutDir.Value;

    /// <summary>`bicep build` of every .bicep file under infra/.</summary>
    public static BicepResult Build => LazyBuild.Value;

    /// <summary>`bicep build-params` of every .bicepparam file under infra/.</summary>
    public static BicepResult BuildParams => LazyBuildParams.Value;

    /// <summary>`bicep lint` of every .bicep file under infra/.</summary>
    public static BicepResult LintBicep => LazyLintBicep.Value;

    /// <summary>`bicep lint` of every .bicepparam file under infra/.</summary>
    public static BicepResult LintParams => LazyLintParams.Value;

    /// <summary>Where `bicep build`/`build-params` wrote the JSON for an infra file.</summary>
    public static string CompiledPath(string infraFile)
    {
        var relative = Path.GetRelativePath(RepoLayout.InfraDir, infraFile);
        return Path.Combine(OutDir, Path.ChangeExtension(relative, ".json"));
    }

    /// <summary>Diagnostic lines the CLI printed about one file (they start with its path).</summary>
    public static IReadOnlyList<string> DiagnosticsFor(BicepResult result, string file) =>
        (result.StdOut + "\n" + result.StdErr)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith(file + "(", StringComparison.Ordinal) || line.StartsWith(file + ":", StringComparison.Ordinal))
            .ToList();

    private static string Glob(string filePattern) => Path.Combine(RepoLayout.InfraDir, "**", filePattern);
}
