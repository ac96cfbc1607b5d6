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
    /// <summary>
    /// The Release build of the local host (functions/Smartspace.LocalHost), built first unless <paramref name="noBuild"/>;
    /// null, after saying how to get it, when it is missing.
    /// </summary>
    public static string? LocalHost(string repo, bool noBuild, string? dll = null)
    {
        var project = Path.Combine(repo, "functions", "Smartspace.LocalHost");
        dll ??= Path.Combine(project, "bin", "Release", "net10.0", "Smartspace.LocalHost.dll");
        if (!noBuild)
        {
            Release(project);
        }

        if (File.Exists(dll))
        {
            return dll;
        }

        Console.Error.WriteLine($"{dll} is missing: build it with `dotnet build -c Release functions/Smartspace.LocalHost` or drop --no-build.");
        return null;
    }

    /// <summary>A fresh temp folder for one run of <paramref name="bench"/> (Azurite's queues, the handler's log).</summary>
    public static string WorkDirectory(string bench)
    {
        var work = Path.Combine(Path.GetTempPath(), bench + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        return work;
    }

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

    /// <summary>
    /// The handler's and Azurite's CPU with nothing to do, as % of one core: first <paramref name="settleSeconds"/> for the
    /// start-up to finish (tiered JIT, the first template sync, partition leases), reported on its own, then
    /// <paramref name="idleSeconds"/> measured, with the handler's share per 5 s slice so a periodic cost shows.
    /// </summary>
    public static async Task<(double Handler, double Azurite)> IdleCpuAsync(HandlerProcess handler, BenchAzurite azurite, int settleSeconds, int idleSeconds, string what, CancellationToken ct = default)
    {
        static double Percent(TimeSpan cpu, double seconds) => 100 * cpu.TotalSeconds / seconds;
        if (settleSeconds > 0)
        {
            var (hs, as0) = (handler.CpuTime(), azurite.CpuTime());
            await Task.Delay(TimeSpan.FromSeconds(settleSeconds), ct);
            Console.WriteLine(FormattableString.Invariant(
                $"start-up settle {settleSeconds} s (not idle): local host {Percent(handler.CpuTime() - hs, settleSeconds):F1} % of one core, Azurite {Percent(azurite.CpuTime() - as0, settleSeconds):F1} %"));
        }

        var (h0, a0) = (handler.CpuTime(), azurite.CpuTime());
        var clock = Stopwatch.StartNew();
        var slices = new List<double>();
        var sliceStart = h0;
        while (idleSeconds - clock.Elapsed.TotalSeconds > 0.1)
        {
            var step = Math.Min(5.0, idleSeconds - clock.Elapsed.TotalSeconds);
            await Task.Delay(TimeSpan.FromSeconds(step), ct);
            var now = handler.CpuTime();
            slices.Add(Percent(now - sliceStart, step));
            sliceStart = now;
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var (handlerIdle, azuriteIdle) = (Percent(handler.CpuTime() - h0, seconds), Percent(azurite.CpuTime() - a0, seconds));
        Console.WriteLine(FormattableString.Invariant(
            $"idle {idleSeconds} s ({what}): local host {handlerIdle:F1} % of one core, Azurite {azuriteIdle:F1} %; local host per 5 s: {string.Join(' ', slices.Select(s => s.ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}"));
        return (handlerIdle, azuriteIdle);
    }

    /// <summary>The 1-, 5- and 15-minute load averages.</summary>
    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

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
