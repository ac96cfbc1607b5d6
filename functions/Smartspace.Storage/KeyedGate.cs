namespace Smartspace.Storage;

/// <summary>
/// In-process mutual exclusion per key (e.g. one entity), so requests for a hot entity queue up inside
/// one process instead of storming the store with ETag conflicts. It does not replace the ETag: other
/// processes still race, and every write stays conditional.
/// </summary>
public interface IKeyedGate
{
    /// <summary>Waits until no one else in this process holds <paramref name="key"/>; dispose the result to release it.</summary>
    ValueTask<IDisposable> AcquireAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>One <see cref="SemaphoreSlim"/> per key in use, reference-counted and removed when nobody holds or waits for it.</summary>
public sealed class KeyedGate : IKeyedGate
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Keys currently held or waited for (for tests and diagnostics).</summary>
    public int ActiveKeys
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    public ValueTask<IDisposable> AcquireAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(key, out entry!))
            {
                entry = new Entry(key);
                _entries.Add(key, entry);
            }

            entry.References++;
        }

        var wait = entry.Semaphore.WaitAsync(cancellationToken);
        if (wait.IsCompletedSuccessfully)
        {
            return new ValueTask<IDisposable>(new Releaser(this, entry));
        }

        return WaitAsync(wait, entry);
    }

    private async ValueTask<IDisposable> WaitAsync(Task wait, Entry entry)
    {
        try
        {
            await wait.ConfigureAwait(false);
        }
        catch
        {
            Unreference(entry);
            throw;
        }

        return new Releaser(this, entry);
    }

    private void Unreference(Entry entry)
    {
        lock (_entries)
        {
            if (--entry.References == 0)
            {
                _entries.Remove(entry.Key);
            }
        }
    }

    private sealed class Entry(string key)
    {
        public string Key { get; } = key;
        public SemaphoreSlim Semaphore { get; } = new(1, 1);
        public int References; // guarded by the dictionary's lock
    }

    private sealed class Releaser(KeyedGate gate, Entry entry) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
            {
                return;
            }

            entry.Semaphore.Release();
            gate.Unreference(entry);
        }
    }
}
