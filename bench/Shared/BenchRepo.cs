using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

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

/// <summary>The benchmark's own loopback ports and temp folders.</summary>
internal static class BenchLocal
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops the handler and deletes the benchmark's temp folder (best effort).</summary>
    public static void CleanUp(HandlerProcess handler, string work)
    {
        handler.Stop();
        Console.WriteLine($"handler pid {handler.Pid} stopped");
        try
        {
            Directory.Delete(work, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
