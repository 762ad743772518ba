using Dapper;
using TeacherPlatform.Core.Persistence;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Platform;

/// <summary>
/// Cancellation at any point of opening a connection or running a command must hand the connection back.
/// On PostgreSQL the test database allows one pooled connection, so a single leak makes the final open fail.
/// </summary>
public sealed class ConnectionLeakTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Opens_and_queries_cancelled_at_random_points_never_leak_a_connection()
    {
        var db = factory.Services.GetRequiredService<Db>();
        var random = new Random(20261202);
        var cancelled = 0;
        var completed = 0;
        for (var i = 0; i < 400; i++)
        {
            using var cts = new CancellationTokenSource();
            // Pre-cancelled, cancelled during the open, or during the command: spread over the first few milliseconds.
            var point = random.Next(-1, 6);
            if (point < 0) await cts.CancelAsync();
            else cts.CancelAfter(TimeSpan.FromMilliseconds(point));
            try
            {
                await using var c = await db.OpenAsync(cts.Token);
                await using var tx = i % 3 == 0 ? await c.BeginTransactionAsync(cts.Token) : null;
                await c.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT COUNT(*) FROM users WHERE email LIKE @p", new { p = $"%{i}%" }, tx, cancellationToken: cts.Token));
                if (tx is not null) await tx.CommitAsync(cts.Token);
                completed++;
            }
            catch (OperationCanceledException)
            {
                cancelled++;
            }
        }

        // Both outcomes happened, so both paths were exercised.
        Assert.True(cancelled > 0, "no operation was cancelled");
        Assert.True(completed > 0, "no operation completed");

        // The pool still hands out a working connection, promptly (a leaked one would hold the only slot).
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using (var c = await db.OpenAsync(patience.Token))
            await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM users", cancellationToken: patience.Token));
        // And the API, which shares the pool, still answers.
        var user = await factory.RegisterAsync("student");
        Assert.NotNull(user);
    }
}
