using System.Diagnostics;
using System.Text;

namespace Smartspace.WorkerHost;

/// <summary>Runs <c>dotnet publish</c> of a Function App into a folder, bounded, failing with the build output.</summary>
public static class DotnetPublish
{
    public static async Task<string> RunAsync(string project, string outputDirectory, string configuration = "Release", TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(NonEmpty(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")) ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(project))!,
        };
        foreach (var argument in new[] { "publish", project, "-c", configuration, "-o", outputDirectory, "-nologo", "-v", "quiet" })
        {
            info.ArgumentList.Add(argument);
        }

        // A test runner's MSBuild variables would point the nested build at the runner's own build.
        foreach (var key in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            info.Environment.Remove(key);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var limit = timeout ?? TimeSpan.FromMinutes(10);
        using var cancel = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new WorkerHostException($"dotnet publish {project} did not finish within {limit.TotalMinutes:0.#} min:{Environment.NewLine}{Snapshot(output)}");
        }

        process.WaitForExit(); // drain the redirected streams
        if (process.ExitCode != 0)
        {
            throw new WorkerHostException($"dotnet publish {project} failed with code {process.ExitCode}:{Environment.NewLine}{Snapshot(output)}");
        }

        return outputDirectory;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            if (output.Length < 64_000)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
