using Smartspace.Testing;
using Smartspace.WorkerHost;

namespace Smartspace.FunctionApp.Tests.Infrastructure;

/// <summary>
/// <c>dotnet publish functions/Smartspace.FunctionApp -c Release</c> into a temporary folder, once per test run
/// (every fixture awaits the same task). <c>SMARTSPACE_FUNCTIONAPP_PUBLISH_DIR</c> names an existing publish
/// folder instead (a CI step that already published).
/// </summary>
public static class PublishedFunctionApp
{
    public const string PublishDirVariable = "SMARTSPACE_FUNCTIONAPP_PUBLISH_DIR";

    private static readonly Lazy<Task<string>> Publish = new(PublishAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Project => Path.Combine(RepoPaths.RepoRoot, "functions", "Smartspace.FunctionApp", "Smartspace.FunctionApp.csproj");

    /// <summary>The publish folder (publishes on first use).</summary>
    public static Task<string> DirectoryAsync() => Publish.Value;

    private static async Task<string> PublishAsync()
    {
        var given = Environment.GetEnvironmentVariable(PublishDirVariable);
        if (!string.IsNullOrWhiteSpace(given))
        {
            return Path.GetFullPath(given);
        }

        var output = Path.Combine(Path.GetTempPath(), "smartspace-functionapp-" + Environment.ProcessId);
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        await DotnetPublish.RunAsync(Project, output, "Release", TimeSpan.FromMinutes(10));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(output);
        return output;
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // a worker still holds a file: the OS temp cleaner takes it
        }
        catch (UnauthorizedAccessException)
        {
            // likewise
        }
    }
}
