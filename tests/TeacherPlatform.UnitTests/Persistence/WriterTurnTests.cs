using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TeacherPlatform.Core.Configuration;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.UnitTests.Persistence;

/// <summary>SQLite writers of one process take turns in order instead of meeting in SQLite's sleeping busy handler.</summary>
public sealed class WriterTurnTests
{
    [Fact]
    public async Task A_second_sqlite_writer_waits_until_the_first_turn_ends_and_a_cancelled_wait_takes_no_turn()
    {
        var data = Directory.CreateTempSubdirectory("tp-writer-").FullName;
        await using var db = new Db(Options.Create(new DatabaseOptions()), Options.Create(new DataOptions { Directory = data }), NullLoggerFactory.Instance);

        var first = await db.WriterTurnAsync();
        var second = db.WriterTurnAsync().AsTask();
        using var cts = new CancellationTokenSource();
        var cancelled = db.WriterTurnAsync(cts.Token).AsTask();
        Assert.False(second.IsCompleted);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.False(second.IsCompleted);

        first.Dispose();
        using (await second) { }
        using (await db.WriterTurnAsync()) { } // the turn is free again: nothing was left holding it
    }
}
