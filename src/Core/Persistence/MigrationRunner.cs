using System.Reflection;
using Dapper;
using Microsoft.Extensions.Logging;

namespace TeacherPlatform.Core.Persistence;

/// <summary>
/// Applies the embedded, numbered SQL scripts for the active provider, each in its own transaction,
/// recording them in schema_migrations. On PostgreSQL an advisory lock keeps concurrent instances from racing.
/// </summary>
public sealed class MigrationRunner(Db db, ILogger<MigrationRunner> logger)
{
    private const long AdvisoryLockKey = 0x7465616368; // "teach"

    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var folder = db.IsPostgres ? "postgres" : "sqlite";
        var assembly = typeof(MigrationRunner).Assembly;
        var prefix = $"{assembly.GetName().Name}.Persistence.Migrations.{folder}.";
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Resource: n, Version: n[prefix.Length..^4]))
            .OrderBy(s => s.Version, StringComparer.Ordinal)
            .ToList();

        await using var connection = await db.OpenAsync(cancellationToken);
        if (db.IsPostgres)
        {
            await connection.ExecuteAsync("SELECT pg_advisory_lock(@k)", new { k = AdvisoryLockKey });
        }
        else
        {
            // Write-ahead logging: readers never wait for a writer and a commit needs no fsync (synchronous = NORMAL).
            // In the default rollback journal every chat write locked out every search for its commit, and readers
            // then slept in the busy handler. The mode is stored in the file, so this runs once per database.
            var mode = await connection.ExecuteScalarAsync<string>(new CommandDefinition("PRAGMA journal_mode = WAL", cancellationToken: cancellationToken));
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                logger.LogWarning("SQLite kept journal mode {Mode} (an in-memory database or a file system without shared memory); readers will wait for writers", mode);
        }
        var applied = new List<string>();
        try
        {
            await connection.ExecuteAsync(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
            var done = (await connection.QueryAsync<string>("SELECT version FROM schema_migrations")).ToHashSet();
            foreach (var (resource, version) in scripts)
            {
                if (done.Contains(version)) continue;
                var sql = await ReadAsync(assembly, resource);
                await using var tx = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(sql, transaction: tx, cancellationToken: cancellationToken));
                await connection.ExecuteAsync("INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @at)",
                    new { version, at = DapperSetup.FormatTimestamp(DateTimeOffset.UtcNow) }, tx);
                await tx.CommitAsync(cancellationToken);
                logger.LogInformation("Applied migration {Version} ({Provider})", version, db.Provider);
                applied.Add(version);
            }
        }
        finally
        {
            if (db.IsPostgres)
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@k)", new { k = AdvisoryLockKey });
        }
        if (db.IsPostgres && connection is Npgsql.NpgsqlConnection npgsql)
            await npgsql.ReloadTypesAsync(cancellationToken); // pgvector's type appears after its migration
        return applied;
    }

    private static async Task<string> ReadAsync(Assembly assembly, string resource)
    {
        await using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
