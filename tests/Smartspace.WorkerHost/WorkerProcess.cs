using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Smartspace.WorkerHost;

/// <summary>
/// The worker process as the Functions host starts it, with stdout and stderr captured (bounded) and
/// an exit task. Stopping kills exactly this process (and its children) by its id, never by name.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private const int MaxCapturedChars = 512 * 1024;

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _dropped;

    private WorkerProcess(Process process)
    {
        _process = process;
    }

    public int Id { get; private set; }

    /// <summary>Completes with the exit code when the process exits.</summary>
    public Task<int> Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    public static WorkerProcess Start(string executable, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?> environment)
    {
        var info = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => worker.Append("out", e.Data);
        process.ErrorDataReceived += (_, e) => worker.Append("err", e.Data);
        process.Exited += (_, _) => worker.OnExited();
        if (!process.Start())
        {
            throw new WorkerHostException($"Could not start {executable}.");
        }

        worker.Id = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (process.HasExited)
        {
            worker.OnExited();
        }

        return worker;
    }

    /// <summary>Everything the worker wrote so far (stdout and stderr interleaved, each line tagged).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _dropped == 0 ? _output.ToString() : _output + $"[… {_dropped} more lines not kept]" + Environment.NewLine;
            }
        }
    }

    /// <summary>The last lines of <see cref="Output"/>, for exception messages.</summary>
    public string OutputTail(int maxChars = 8_000)
    {
        var all = Output;
        return all.Length <= maxChars ? all : "…" + all[^maxChars..];
    }

    /// <summary>Waits for the exit; true when it exited within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _exited.Task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Kills this process (by its id) and its children, then waits for the exit (bounded).</summary>
    public async Task KillAsync(TimeSpan timeout)
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // exited between the check and the kill
        }

        await WaitForExitAsync(timeout).ConfigureAwait(false);
    }

    public void Dispose() => _process.Dispose();

    private void OnExited()
    {
        int code;
        try
        {
            // The Exited event can run before the redirected streams are drained; this waits for them.
            _process.WaitForExit();
            code = _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            code = int.MinValue;
        }

        _exited.TrySetResult(code);
    }

    private void Append(string stream, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length + line.Length > MaxCapturedChars)
            {
                _dropped++;
                return;
            }

            _output.Append(stream).Append(": ").AppendLine(line);
        }
    }

    public static string Describe(int exitCode) => exitCode == int.MinValue ? "unknown" : exitCode.ToString(CultureInfo.InvariantCulture);
}
