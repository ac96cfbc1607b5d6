using System.Diagnostics;

/// <summary>Finds the repository root (the folder holding Smartspace.sln), from the binary or the working directory.</summary>
internal static class RepoRoot
{
    public static string Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Smartspace.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Run from inside the repository (Smartspace.sln not found).");
    }
}

internal static class Build
{
    /// <summary>Builds the handler in Release; retries when another build holds a file lock.</summary>
    public static void Release(string project)
    {
        for (var attempt = 1; ; attempt++)
        {
            Console.WriteLine($"building {project} (Release), attempt {attempt}");
            using var build = Process.Start(new ProcessStartInfo("dotnet", ["build", "-c", "Release", "--nologo", "-v", "q", project]) { UseShellExecute = false })!;
            build.WaitForExit();
            if (build.ExitCode == 0)
            {
                return;
            }

            if (attempt >= 3)
            {
                throw new InvalidOperationException("dotnet build -c Release failed " + attempt + " times.");
            }

            Thread.Sleep(TimeSpan.FromSeconds(5));
        }
    }
}
