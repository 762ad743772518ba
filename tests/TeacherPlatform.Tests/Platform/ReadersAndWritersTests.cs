using System.Net;
using Dapper;
using TeacherPlatform.Core.Persistence;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Platform;

/// <summary>
/// Searches and chat writes arrive together under load: a request that reads must not wait for a writer, and a write
/// must not wait for a reader. SQLite gives this only with write-ahead logging (in its default rollback journal a
/// writer's commit locks every reader out and a long read holds every writer back until the busy timeout).
/// </summary>
public sealed class ReadersAndWritersTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    // PGlite (the default PostgreSQL test server) serves one session, so a second connection held open beside the API
    // would starve it; with TEST_POSTGRES_CONNECTION (a real server) these tests run on PostgreSQL too.
    private static bool SecondSessionAvailable => !ApiFactory.IsPostgres || PostgresTestDatabases.RealServer is not null;

    [Fact]
    public async Task A_request_that_reads_is_answered_while_another_connection_holds_the_strongest_write_lock()
    {
        if (!SecondSessionAvailable) return;
        var student = await factory.RegisterAsync("student");
        var db = factory.Services.GetRequiredService<Db>();

        await using var writer = await db.OpenAsync();
        // SQLite: BEGIN EXCLUSIVE, which in a rollback journal shuts every reader out until it ends. PostgreSQL: the
        // EXCLUSIVE table lock, which admits only plain reads beside it.
        await writer.ExecuteAsync(ApiFactory.IsPostgres ? "BEGIN; LOCK TABLE users IN EXCLUSIVE MODE" : "BEGIN EXCLUSIVE");
        await writer.ExecuteAsync("UPDATE users SET display_name = @name WHERE id = @id", new { name = "renamed in an open transaction", id = student.Id });

        using var me = await student.Client.GetAsync("/api/auth/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal("student user", (await me.ReadJsonAsync())["display_name"]!.GetValue<string>()); // not the uncommitted name
        using var sessions = await student.Client.GetAsync("/api/chat/sessions");
        Assert.Equal(HttpStatusCode.OK, sessions.StatusCode);

        await writer.ExecuteAsync("ROLLBACK TRANSACTION");
    }

    [Fact]
    public async Task A_write_request_commits_while_another_connection_holds_a_read_transaction_open()
    {
        if (!SecondSessionAvailable) return;
        var student = await factory.RegisterAsync("student");
        var db = factory.Services.GetRequiredService<Db>();
        const string count = "SELECT COUNT(*) FROM chat_sessions WHERE user_id = @id";

        await using var reader = await db.OpenAsync();
        // A read transaction with one snapshot throughout (SQLite's deferred BEGIN takes no write lock).
        await reader.ExecuteAsync(ApiFactory.IsPostgres ? "BEGIN ISOLATION LEVEL REPEATABLE READ" : "BEGIN TRANSACTION");
        var before = await reader.ExecuteScalarAsync<long>(count, new { id = student.Id });

        using var created = await student.Client.PostJsonAsync("/api/chat/sessions", new { title = "Practising scales" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // The reader's snapshot is unchanged; once it ends, a read sees the new session.
        Assert.Equal(before, await reader.ExecuteScalarAsync<long>(count, new { id = student.Id }));
        await reader.ExecuteAsync("COMMIT TRANSACTION");
        Assert.Equal(before + 1, await reader.ExecuteScalarAsync<long>(count, new { id = student.Id }));
    }

    [Fact]
    public async Task The_embedded_database_runs_with_write_ahead_logging()
    {
        if (ApiFactory.IsPostgres) return; // PostgreSQL readers and writers never block each other (MVCC); nothing to check.
        await using var c = await factory.Services.GetRequiredService<Db>().OpenAsync();
        Assert.Equal("wal", await c.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
    }
}
