using System.Diagnostics;
using Npgsql;
using TeacherPlatform.Tests.Storage;

namespace TeacherPlatform.Tests.Infrastructure;

/// <summary>
/// A fresh, empty PostgreSQL + pgvector database per test host, so hosts never share session state and test classes
/// can run in parallel on PostgreSQL as they do on SQLite.
/// <list type="bullet">
/// <item>With <c>TEST_POSTGRES_CONNECTION</c> (a real server with pgvector): <c>CREATE DATABASE</c> per host.</item>
/// <item>Otherwise: <c>tests/services/pglite.mjs</c>, one node process for the test run that serves each database as
/// its own PGlite instance (one session) on its own loopback port.</item>
/// </list>
/// A database is handed out only after it answers <c>SELECT 1</c> (a readiness probe with a deadline, not a retry count).
/// </summary>
public static class PostgresTestDatabases
{
    private static readonly TimeSpan Readiness = TimeSpan.FromSeconds(60);
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Process? _pglite;

    public static string? RealServer => Environment.GetEnvironmentVariable("TEST_POSTGRES_CONNECTION");

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        if (RealServer is { } admin)
        {
            var name = "t_" + Guid.NewGuid().ToString("N")[..16];
            await ExecuteAsync(admin, $"CREATE DATABASE {name}");
            var cs = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
            await ProbeAsync(cs);
            return new PostgresTestDatabase(cs, () => ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }

        var port = await SendAsync("new", "db ");
        var connection = $"Host=127.0.0.1;Port={port};Username=postgres;Password=postgres;Database=postgres;" +
                         "Maximum Pool Size=1;SSL Mode=Disable;Timeout=60;Command Timeout=120";
        await ProbeAsync(connection);
        return new PostgresTestDatabase(connection, async () => await SendAsync($"close {port}", "closed "));
    }

    private static async Task ProbeAsync(string connectionString)
    {
        using var deadline = new CancellationTokenSource(Readiness);
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        while (true)
        {
            try
            {
                await using var c = new NpgsqlConnection(unpooled);
                await c.OpenAsync(deadline.Token);
                await using var cmd = new NpgsqlCommand("SELECT 1", c);
                await cmd.ExecuteScalarAsync(deadline.Token);
                return;
            }
            catch (NpgsqlException) when (!deadline.IsCancellationRequested)
            {
                await Task.Delay(100, deadline.Token);
            }
        }
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>One command to the PGlite process, one reply line; commands are serialised.</summary>
    private static async Task<string> SendAsync(string command, string expectedPrefix)
    {
        await Gate.WaitAsync();
        try
        {
            var process = await EnsureStartedAsync();
            await process.StandardInput.WriteLineAsync(command);
            await process.StandardInput.FlushAsync();
            using var timeout = new CancellationTokenSource(Readiness);
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                       ?? throw new InvalidOperationException($"pglite.mjs exited: {await process.StandardError.ReadToEndAsync()}");
            if (!line.StartsWith(expectedPrefix, StringComparison.Ordinal))
                throw new InvalidOperationException($"pglite.mjs answered '{line}' to '{command}'.");
            return line[expectedPrefix.Length..].Trim();
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<Process> EnsureStartedAsync()
    {
        if (_pglite is { HasExited: false }) return _pglite;
        var services = Path.Combine(RepositoryRoot.Find(), "tests", "services");
        if (!Directory.Exists(Path.Combine(services, "node_modules", "@electric-sql", "pglite-socket")))
            throw new InvalidOperationException($"PGlite is not installed: run `npm ci --prefix {services}`.");
        var process = Process.Start(new ProcessStartInfo("node", ["pglite.mjs"])
        {
            WorkingDirectory = services,
            RedirectStandardInput = true, // the script exits when the test process (and so its stdin) goes away
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("Could not start node.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var ready = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (ready != "ready")
            throw new InvalidOperationException($"pglite.mjs did not start ('{ready}'): {await process.StandardError.ReadToEndAsync()}");
        // Drain stderr so a chatty server can never block on a full pipe.
        _ = Task.Run(async () => { while (await process.StandardError.ReadLineAsync() is not null) { } });
        return _pglite = process;
    }
}

/// <summary>A database for one test host; disposing drops it.</summary>
public sealed class PostgresTestDatabase(string connectionString, Func<Task> drop) : IAsyncDisposable
{
    public string ConnectionString { get; } = connectionString;

    public async ValueTask DisposeAsync() => await drop();
}
