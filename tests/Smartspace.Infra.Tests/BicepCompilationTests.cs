using Smartspace.Infra.Tests.Infrastructure;

namespace Smartspace.Infra.Tests;

/// <summary>Every Bicep and parameter file compiles with zero diagnostics (any warning fails).</summary>
public class BicepCompilationTests
{
    public static TheoryData<string> BicepFiles() => new(RepoLayout.BicepFiles().Select(RepoLayout.Relative));

    public static TheoryData<string> ParamFiles() => new(RepoLayout.ParamFiles().Select(RepoLayout.Relative));

    [Fact]
    public void Building_all_bicep_files_prints_nothing_and_succeeds()
    {
        var result = BicepRuns.Build;

        Assert.True(result.ExitCode == 0 && (result.StdOut + result.StdErr).Trim().Length == 0,
            $"bicep build (exit {result.ExitCode}):\n{result.StdOut}{result.StdErr}");
    }

    [Fact]
    public void Building_all_parameter_files_prints_nothing_and_succeeds()
    {
        var result = BicepRuns.BuildParams;

        Assert.True(result.ExitCode == 0 && (result.StdOut + result.StdErr).Trim().Length == 0,
            $"bicep build-params (exit {result.ExitCode}):\n{result.StdOut}{result.StdErr}");
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Bicep_file_builds_without_any_diagnostic(string file)
    {
        var path = Path.Combine(RepoLayout.Root, file);
        var diagnostics = BicepRuns.DiagnosticsFor(BicepRuns.Build, path);

        Assert.True(diagnostics.Count == 0, $"bicep build {file}:\n{string.Join('\n', diagnostics)}");
        Assert.True(File.Exists(BicepRuns.CompiledPath(path)), $"bicep build produced no JSON for {file}");
    }

    [Theory]
    [MemberData(nameof(ParamFiles))]
    public void Parameter_file_builds_without_any_diagnostic(string file)
    {
        var path = Path.Combine(RepoLayout.Root, file);
        var diagnostics = BicepRuns.DiagnosticsFor(BicepRuns.BuildParams, path);

        Assert.True(diagnostics.Count == 0, $"bicep build-params {file}:\n{string.Join('\n', diagnostics)}");
        Assert.True(File.Exists(BicepRuns.CompiledPath(path)), $"bicep build-params produced no JSON for {file}");
    }

    [Fact]
    public void Dev_and_prod_parameter_files_exist_and_target_main_bicep()
    {
        foreach (var name in new[] { "main.dev.bicepparam", "main.prod.bicepparam" })
        {
            var path = Path.Combine(RepoLayout.InfraDir, name);
            Assert.True(File.Exists(path), $"infra/{name} is missing");
            Assert.Contains("using 'main.bicep'", File.ReadAllText(path), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Compiling_leaves_no_generated_json_in_the_infra_folder()
    {
        _ = BicepRuns.Build;
        _ = BicepRuns.BuildParams;

        var stray = Directory.EnumerateFiles(RepoLayout.InfraDir, "*.json", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "bicepconfig.json")
            .Select(RepoLayout.Relative)
            .ToList();
        Assert.Empty(stray);
    }
}

/// <summary>`bicep lint` (default rules, plus infra/bicepconfig.json if present) finds nothing in any file.</summary>
public class BicepLintTests
{
    public static TheoryData<string> AllFiles() =>
        new(RepoLayout.BicepFiles().Concat(RepoLayout.ParamFiles()).Select(RepoLayout.Relative));

    [Fact]
    public void Linting_all_files_prints_nothing()
    {
        foreach (var result in new[] { BicepRuns.LintBicep, BicepRuns.LintParams })
        {
            var printed = (result.StdOut + result.StdErr).Trim();
            Assert.True(result.ExitCode == 0 && printed.Length == 0, $"bicep lint (exit {result.ExitCode}):\n{printed}");
        }
    }

    [Theory]
    [MemberData(nameof(AllFiles))]
    public void Lint_reports_nothing_for_the_file(string file)
    {
        var path = Path.Combine(RepoLayout.Root, file);
        var diagnostics = BicepRuns.DiagnosticsFor(BicepRuns.LintBicep, path)
            .Concat(BicepRuns.DiagnosticsFor(BicepRuns.LintParams, path))
            .Distinct()
            .ToList();

        Assert.True(diagnostics.Count == 0, $"bicep lint {file}:\n{string.Join('\n', diagnostics)}");
    }
}
