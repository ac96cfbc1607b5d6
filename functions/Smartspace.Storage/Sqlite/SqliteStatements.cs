using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Smartspace.Storage.Sqlite;

/// <summary>What the SQLite writers (entities, webhook inbox) share: prepared statements and the group-commit loop.</summary>
internal static class SqliteStatements
{
    /// <summary>A command prepared once, with its named parameters in order, reused for every call.</summary>
    public static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    /// <summary>Stops accepting work and lets the writer thread finish what is queued (unless called from that thread).</summary>
    public static void Stop<T>(ChannelWriter<T> queue, Thread thread)
    {
        queue.TryComplete();
        if (Thread.CurrentThread != thread)
        {
            thread.Join(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>
    /// The body of a writer thread: waits for work, takes everything queued (at most <paramref name="maxGroup"/>) as one
    /// group, hands it to <paramref name="process"/> (one transaction, one fsync), and returns when the queue is
    /// completed and empty. A bug in <paramref name="process"/> must not strand callers: <paramref name="fail"/> gets
    /// every request of that group.
    /// </summary>
    public static void RunGroups<T>(ChannelReader<T> reader, int maxGroup, Action<List<T>> process, Action<T, Exception> fail)
    {
        var group = new List<T>(Math.Min(maxGroup, 1024));
        while (true)
        {
            if (!reader.TryRead(out var first))
            {
                var wait = reader.WaitToReadAsync();
                if (!(wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult()))
                {
                    return;
                }

                continue;
            }

            group.Add(first);
            while (group.Count < maxGroup && reader.TryRead(out var next))
            {
                group.Add(next);
            }

            try
            {
                process(group);
            }
            catch (Exception ex)
            {
                foreach (var request in group)
                {
                    fail(request, ex);
                }
            }

            group.Clear();
        }
    }
}
