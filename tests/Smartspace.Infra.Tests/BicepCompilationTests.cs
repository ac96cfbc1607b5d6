using Smartspace.Infra.Tests.Infrastructure;

namespace Smartspace.Infra.Tests;

/// <summary>Every Bicep and parameter file compiles and lints with zero diagnostics (any warning fails).</summary>
public class BicepCompilationTests
{
    public static TheoryData<string> BicepFiles() => new(RepoLayout.BicepFiles().Select(RepoLayout.Relative));

    public static TheoryData<string> ParamFiles() => new(RepoLayout.ParamFiles().Select(RepoLayout.Relative));

    public static TheoryData<string> AllFiles() =>
        new(RepoLayout.BicepFiles().Concat(RepoLayout.ParamFiles()).Select(RepoLayout.Relative));

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Bicep_file_builds_without_any_diagnostic(string file)
    {
        var result = BicepCli.Run("build", Path.Combine(RepoLayout.Root, file), "--stdout");

        Assert.True(result.ExitCode == 0, $"bicep build {file} exited {result.ExitCode}:\n{result.StdErr}");
        Assert.True(result.Diagnostics.Length == 0, $"bicep build {file} printed diagnostics:\n{result.Diagnostics}");
        Assert.StartsWith("{", result.StdOut.TrimStart(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ParamFiles))]
    public void Parameter_file_builds_without_any_diagnostic(string file)
    {
        var result = BicepCli.Run("build-params", Path.Combine(RepoLayout.Root, file), "--stdout");

        Assert.True(result.ExitCode == 0, $"bicep build-params {file} exited {result.ExitCode}:\n{result.StdErr}");
        Assert.True(result.Diagnostics.Length == 0, $"bicep build-params {file} printed diagnostics:\n{result.Diagnostics}");
    }

    [Theory]
    [MemberData(nameof(AllFiles))]
    public void Lint_reports_nothing(string file)
    {
        var result = BicepCli.Run("lint", Path.Combine(RepoLayout.Root, file));

        var printed = (result.StdOut + result.StdErr).Trim();
        Assert.True(result.ExitCode == 0 && printed.Length == 0, $"bicep lint {file} (exit {result.ExitCode}):\n{printed}");
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
    public void Compiling_does_not_leave_generated_json_in_the_infra_folder()
    {
        _ = CompiledInfra.Instance;

        var stray = Directory.EnumerateFiles(RepoLayout.InfraDir, "*.json", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "bicepconfig.json")
            .Select(RepoLayout.Relative)
            .ToList();
        Assert.Empty(stray);
    }
}
