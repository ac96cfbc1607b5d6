using System.Threading.Channels;

namespace Smartspace.Functions.Hosting;

/// <summary>
/// The body of a worker woken by in-process signals: each signal's work starts at once, without waiting for the
/// previous ones (their own bounds — send slots, fetch slots — limit how many run); on stop, the loop waits for the
/// work already running.
/// </summary>
public static class SignalLoop
{
    public static async Task RunAsync<T>(ChannelReader<T> reader, Func<T, CancellationToken, Task> work, CancellationToken stoppingToken)
    {
        var running = new HashSet<Task>();
        try
        {
            await foreach (var signal in reader.ReadAllAsync(stoppingToken))
            {
                var task = work(signal, stoppingToken);
                lock (running)
                {
                    running.Add(task);
                }

                _ = task.ContinueWith(t => { lock (running) { running.Remove(t); } }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException)
        {
        }

        Task[] left;
        lock (running)
        {
            left = [.. running];
        }

        await Task.WhenAll(left);
    }
}
