using System.Diagnostics;
using System.Reflection;

namespace Smartspace.Infra.Tests.Infrastructure;

public sealed record BicepResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Everything the CLI printed besides the requested output: warnings, errors, infos.</summary>
    public string Diagnostics => StdErr.Trim();
}

/// <summary>
/// Runs the Bicep CLI restored from the NuGet package Azure.Bicep.CommandLine.linux-x64 by this
/// test project (path baked in as assembly metadata "BicepCliPath"; BICEP_CLI_PATH overrides it).
/// </summary>
public static class BicepCli
{
    private static readonly Lazy<string> LazyPath = new(Locate);

    public static string ExecutablePath => LazyPath.Value;

    public static BicepResult Run(params string[] args)
    {
        var start = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoLayout.InfraDir,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // No telemetry, no colours: the output is compared as text.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        start.Environment["NO_COLOR"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bicep did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', args)} did not finish in 3 minutes");
        }

        return new BicepResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static string Locate()
    {
        var path = Environment.GetEnvironmentVariable("BICEP_CLI_PATH");
        if (string.IsNullOrWhiteSpace(path))
        {
            path = typeof(BicepCli).Assembly
                .GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "BicepCliPath")?.Value;
        }

        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
        {
            throw new FileNotFoundException(
                $"Bicep CLI not found at '{path}'. Restore tests/Smartspace.Infra.Tests (it references " +
                "Azure.Bicep.CommandLine.linux-x64) or set BICEP_CLI_PATH.");
        }

        if (!OperatingSystem.IsWindows())
        {
            // NuGet extraction does not always keep the executable bit.
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode exec = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(path, mode | exec);
            }
        }

        return path;
    }
}
