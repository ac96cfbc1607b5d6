using System.Text;
using Microsoft.Data.Sqlite;
using Smartspace.Storage.Sqlite;

namespace Smartspace.Storage.Tests.Sqlite;

/// <summary>P3: the webhook inbox file — what an acknowledged webhook is kept in until it is applied.</summary>
public sealed class SqliteInboxTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "smartspace-tests", "inbox-" + Guid.NewGuid().ToString("N"));
    private static readonly DateTimeOffset At = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private string InboxPath => Path.Combine(directory, "store.inbox.db");

    [Fact]
    public void P3_PathBeside_NamesTheInboxAfterTheStoreFile()
    {
        Assert.Equal(Path.Combine(directory, "store.inbox.db"), SqliteInbox.PathBeside(Path.Combine(directory, "store.db")));
    }

    [Fact]
    public async Task P3_Appends_GetIncreasingSeqs_AndSurviveReopening_ByteForByte()
    {
        var body = Encoding.UTF8.GetBytes("{\"texto\":\"ação 😀\"}");
        long first, second;
        using (var inbox = new SqliteInbox(InboxPath))
        {
            first = await inbox.AppendAsync(body, At);
            second = await inbox.AppendAsync([1, 2, 3], At.AddSeconds(1));
        }

        Assert.True(second > first);
        using var reopened = new SqliteInbox(InboxPath);
        var pending = await reopened.ReadPendingAsync(0, 10);
        Assert.Equal([first, second], pending.Select(e => e.Seq));
        Assert.Equal(body, pending[0].Body);
        Assert.Equal(At, pending[0].ReceivedAt);
        Assert.Equal(0, pending[0].Attempts);
        Assert.Equal([second], (await reopened.ReadPendingAsync(first, 10)).Select(e => e.Seq));
    }

    [Fact]
    public async Task P3_ConcurrentAppends_AreGroupCommitted_AndAllKept()
    {
        using var inbox = new SqliteInbox(InboxPath);
        var seqs = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(() => inbox.AppendAsync(Encoding.UTF8.GetBytes("m" + i), At))));

        Assert.Equal(400, seqs.Distinct().Count());
        Assert.Equal(400, (await inbox.ReadPendingAsync(0, 1000)).Count);
        Assert.True(inbox.Commits < 400, $"{inbox.Commits} commits for 400 appends");
    }

    [Fact]
    public async Task P3_Complete_RemovesOnlyTheGivenEntries()
    {
        using var inbox = new SqliteInbox(InboxPath);
        var a = await inbox.AppendAsync([1], At);
        var b = await inbox.AppendAsync([2], At);
        var c = await inbox.AppendAsync([3], At);

        await inbox.CompleteAsync([a, c]);

        Assert.Equal([b], (await inbox.ReadPendingAsync(0, 10)).Select(e => e.Seq));
        Assert.Equal((1L, 0L), await inbox.CountAsync());
    }

    [Fact]
    public async Task P3_DeadLetter_MovesTheEntryWithItsReasonAndAttempts()
    {
        using var inbox = new SqliteInbox(InboxPath);
        var seq = await inbox.AppendAsync(Encoding.UTF8.GetBytes("poison"), At);
        await inbox.RecordAttemptAsync(seq);
        await inbox.RecordAttemptAsync(seq);
        Assert.Equal(2, (await inbox.ReadPendingAsync(0, 10)).Single().Attempts);

        await inbox.DeadLetterAsync(seq, "InvalidOperationException: boom", At.AddMinutes(5));

        Assert.Empty(await inbox.ReadPendingAsync(0, 10));
        Assert.Equal((0L, 1L), await inbox.CountAsync());
        using var connection = new SqliteConnection($"Data Source={InboxPath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT reason, attempts, body, dead_at FROM dead_letters WHERE seq = $s";
        command.Parameters.AddWithValue("$s", seq);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal("InvalidOperationException: boom", reader.GetString(0));
        Assert.Equal(2, reader.GetInt32(1));
        Assert.Equal("poison", Encoding.UTF8.GetString((byte[])reader.GetValue(2)));
        Assert.Equal(At.AddMinutes(5).ToUnixTimeMilliseconds(), reader.GetInt64(3));
    }

    [Fact]
    public async Task LGPD_PurgeDeadLetters_RemovesThoseNamingTheCustomer_AndThoseOlderThanTheCutoff_NothingElse()
    {
        using var inbox = new SqliteInbox(InboxPath);
        async Task<long> DeadAsync(string body, DateTimeOffset deadAt)
        {
            var seq = await inbox.AppendAsync(Encoding.UTF8.GetBytes(body), At);
            await inbox.DeadLetterAsync(seq, "x", deadAt);
            return seq;
        }

        const string Mine = "{\"phone_number_id\":\"100\",";
        var legacy = await DeadAsync(Mine + "\"from\":\"551187650000\",\"text\":\"oi\"}", At.AddDays(10));  // the customer's 12-digit wa_id (P6)
        var bsuid = await DeadAsync(Mine + "\"user_id\":\"BR.abc123\",\"text\":\"oi\"}", At.AddDays(10));  // the customer's BSUID
        var longer = await DeadAsync(Mine + "\"from\":\"5511876500001\"}", At.AddDays(10));                  // contains the digits, not the value
        var elsewhere = await DeadAsync("{\"phone_number_id\":\"200\",\"from\":\"551187650000\"}", At.AddDays(10)); // the same number, another contact center's channel
        var other = await DeadAsync(Mine + "\"from\":\"5521999990000\"}", At.AddDays(10));                   // another customer
        var old = await DeadAsync(Mine + "\"from\":\"5521999990001\"}", At);                                 // another customer, old
        var pending = await inbox.AppendAsync(Encoding.UTF8.GetBytes(Mine + "\"from\":\"551187650000\"}"), At); // not dead: left to be applied

        Assert.Equal(2, await inbox.PurgeDeadLettersAsync(["5511987650000", "551187650000", "BR.abc123"], ["100", "101"], null));
        Assert.Equal([longer, elsewhere, other, old], DeadSeqs());

        Assert.Equal(1, await inbox.PurgeDeadLettersAsync([], [], At.AddDays(1)));
        Assert.Equal([longer, elsewhere, other], DeadSeqs());
        Assert.Equal(0, await inbox.PurgeDeadLettersAsync(["551187650000"], [], At.AddDays(1))); // no channel: nothing by content
        Assert.Equal([pending], (await inbox.ReadPendingAsync(0, 10)).Select(e => e.Seq));
        Assert.DoesNotContain(legacy, DeadSeqs());
        Assert.DoesNotContain(bsuid, DeadSeqs());
    }

    private List<long> DeadSeqs()
    {
        using var connection = new SqliteConnection($"Data Source={InboxPath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq FROM dead_letters ORDER BY seq";
        using var reader = command.ExecuteReader();
        var seqs = new List<long>();
        while (reader.Read())
        {
            seqs.Add(reader.GetInt64(0));
        }

        return seqs;
    }

    [Fact]
    public async Task P3_UnwritableLocation_IsStoreUnavailable_AndNothingIsAcknowledged()
    {
        var blocker = Path.Combine(directory, "not-a-directory");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(blocker, "x");
        using var inbox = new SqliteInbox(Path.Combine(blocker, "store.inbox.db"));

        await Assert.ThrowsAsync<StoreUnavailableException>(() => inbox.AppendAsync([1], At));
    }

    [Fact]
    public async Task P3_CancelledBeforeCommit_IsNotStored()
    {
        using var inbox = new SqliteInbox(InboxPath);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => inbox.AppendAsync([9], At, cancelled.Token));
        Assert.Empty(await inbox.ReadPendingAsync(0, 10));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
