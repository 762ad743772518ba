using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using TeacherPlatform.Core.Configuration;

namespace TeacherPlatform.Core.Persistence;

/// <summary>
/// Opens connections for the configured provider. Repositories write portable SQL (Dapper) and ask
/// <see cref="Dialect"/> for the few spots where SQLite and PostgreSQL differ.
/// </summary>
public sealed class Db : IAsyncDisposable
{
    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqlite;

    public Db(IOptions<DatabaseOptions> options, IOptions<DataOptions> data, ILoggerFactory loggerFactory)
    {
        DapperSetup.EnsureConfigured();
        var o = options.Value;
        Provider = o.Provider;
        if (Provider == DatabaseProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(o.ConnectionString))
                throw new InvalidOperationException("Database:ConnectionString is required when Database:Provider is postgres.");
            var builder = new NpgsqlDataSourceBuilder(o.ConnectionString);
            builder.UseLoggerFactory(loggerFactory);
            builder.UseVector();
            // Session settings (search path, time zone) belong in the connection string ("Search Path=..."), which Npgsql
            // sends at connection start-up: nothing runs per open, so an open that is cancelled cannot leak a connection.
            _postgres = builder.Build();
        }
        else
        {
            var cs = new SqliteConnectionStringBuilder(o.ConnectionString ?? $"Data Source={data.Value.Combine("teacherplatform.db")}")
            {
                Pooling = true,
                DefaultTimeout = 30,
            };
            _sqlite = cs.ToString();
        }
        Dialect = new SqlDialect(Provider);
    }

    public DatabaseProvider Provider { get; }
    public SqlDialect Dialect { get; }

    // SQLite has one writer at a time, and a writer that finds the file locked sleeps in its busy handler (1 ms … 100 ms
    // steps, not woken when the lock frees): under a burst of chat requests that turned into a tail of hundreds of ms.
    // Hot write paths queue here instead, in order, and reach the file when it is free.
    private readonly SemaphoreSlim _sqliteWriter = new(1, 1);

    /// <summary>
    /// Waits for this process's turn to write (SQLite only; PostgreSQL writers run concurrently, so the turn is
    /// immediate). Hold it around one short write transaction, not across other work.
    /// </summary>
    public async ValueTask<WriterTurn> WriterTurnAsync(CancellationToken cancellationToken = default)
    {
        if (_postgres is not null) return default;
        await _sqliteWriter.WaitAsync(cancellationToken);
        return new WriterTurn(_sqliteWriter);
    }
    public bool IsPostgres => Provider == DatabaseProvider.Postgres;

    /// <summary>
    /// An open connection the caller owns. If opening or the per-connection set-up fails or is cancelled, the
    /// connection is disposed here (returned to its pool), so no code path can leak a pooled connection.
    /// </summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        if (_postgres is not null)
            return await _postgres.OpenConnectionAsync(cancellationToken);

        var connection = new SqliteConnection(_sqlite);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // Per-connection settings: FK enforcement and waiting (not failing) on a concurrent writer.
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 67108864;";
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
        if (_sqlite is not null) SqliteConnection.ClearAllPools();
    }
}

/// <summary>A turn to write, from <see cref="Db.WriterTurnAsync"/>; disposing it lets the next writer in.</summary>
public readonly struct WriterTurn(SemaphoreSlim? gate) : IDisposable
{
    public void Dispose() => gate?.Release();
}

/// <summary>The handful of SQL differences between the two providers.</summary>
public sealed record SqlDialect(DatabaseProvider Provider)
{
    /// <summary>Case-insensitive LIKE.</summary>
    public string ILike => Provider == DatabaseProvider.Postgres ? "ILIKE" : "LIKE";

    /// <summary>
    /// Case-insensitive "contains" on <paramref name="column"/>; bind the parameter with <see cref="ContainsPattern"/>,
    /// which escapes the wildcards so user text matches literally ("C_major" finds "C_major", not "Cxmajor").
    /// </summary>
    public string Contains(string column, string parameter) => $"{column} {ILike} @{parameter} ESCAPE '\\'";

    /// <summary>The LIKE pattern for <see cref="Contains"/>: %text% with \, % and _ escaped.</summary>
    public static string ContainsPattern(string text) =>
        "%" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";

    /// <summary>Row lock for read-modify-write inside a transaction (SQLite serialises writers anyway).</summary>
    public string ForUpdate => Provider == DatabaseProvider.Postgres ? "FOR UPDATE" : "";
    /// <summary>
    /// Membership in a list bound as one parameter (<see cref="IntegerList"/> or <see cref="GuidList"/>): an array for
    /// Npgsql, a JSON array for SQLite's json_each. Dapper's list expansion would give SQLite one named parameter per value
    /// (hundreds for a keyword shortlist), and it binds each id without the Guid type handler, so text ids never matched.
    /// </summary>
    public string InList(string column, string parameter) =>
        Provider == DatabaseProvider.Postgres ? $"{column} = ANY(@{parameter})" : $"{column} IN (SELECT value FROM json_each(@{parameter}))";

    /// <summary>The value for <see cref="InList"/>: an array for Npgsql, a JSON array of the ids' text for SQLite.</summary>
    public object GuidList(IEnumerable<Guid> values) =>
        Provider == DatabaseProvider.Postgres ? values.ToArray() : System.Text.Json.JsonSerializer.Serialize(values.Select(v => v.ToString("D")));

    /// <summary>The value for <see cref="InList"/>: an array for Npgsql, a JSON array text for SQLite's json_each.</summary>
    public object IntegerList(IEnumerable<long> values) =>
        Provider == DatabaseProvider.Postgres ? values.ToArray() : System.Text.Json.JsonSerializer.Serialize(values);
}
