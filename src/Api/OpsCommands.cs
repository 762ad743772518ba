using Dapper;
using Microsoft.Data.Sqlite;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Api;

/// <summary>
/// Operator commands used by docs/RUNBOOKS.md: `rotate-signing-key`, `backup FILE` (SQLite online backup),
/// `jobs` (ingestion jobs by state, failed ones with their errors) and `retry-failed-jobs`.
/// </summary>
public static class OpsCommands
{
    public static readonly string[] Names = ["rotate-signing-key", "backup", "jobs", "retry-failed-jobs"];

    public static async Task<int> RunAsync(WebApplication app, string command, string[] args, CancellationToken ct)
    {
        await app.Services.GetRequiredService<MigrationRunner>().MigrateAsync(ct);
        return command switch
        {
            "rotate-signing-key" => await RotateAsync(app, ct),
            "backup" => await BackupAsync(app, args, ct),
            "jobs" => await JobsAsync(app, ct),
            "retry-failed-jobs" => await RetryFailedAsync(app, ct),
            _ => 2,
        };
    }

    private static async Task<int> RotateAsync(WebApplication app, CancellationToken ct)
    {
        var keys = app.Services.GetRequiredService<SigningKeys>();
        var (kid, retired, pruned) = await keys.RotateAsync(ct);
        Console.WriteLine($"New signing key {kid} is current.");
        if (retired.Count > 0)
            Console.WriteLine($"Retired {string.Join(", ", retired)}: still published and accepted for {keys.RetiredKeyRetention} (until the tokens they signed expire).");
        if (pruned > 0) Console.WriteLine($"Removed {pruned} expired key(s).");
        Console.WriteLine("Running instances pick the new key up within Auth:Jwt:KeyRefreshInterval; nobody is logged out.");
        return 0;
    }

    /// <summary>SQLite's online backup API: a consistent copy while the service keeps running and writing.</summary>
    private static async Task<int> BackupAsync(WebApplication app, string[] args, CancellationToken ct)
    {
        var db = app.Services.GetRequiredService<Db>();
        if (db.IsPostgres)
            throw new ArgumentException("backup copies the SQLite database; for PostgreSQL use pg_dump (see docs/RUNBOOKS.md).");
        var i = Array.IndexOf(args, "backup");
        var target = Cli.Option(args, "--output")
            ?? (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[i + 1] : null)
            ?? throw new ArgumentException("usage: backup <file.db>");
        target = Path.GetFullPath(target);
        if (File.Exists(target) && !Cli.Flag(args, "--force"))
            throw new ArgumentException($"{target} exists (add --force to overwrite).");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (File.Exists(target)) File.Delete(target);

        await using var source = (SqliteConnection)await db.OpenAsync(ct);
        await using (var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString()))
        {
            await destination.OpenAsync(ct);
            source.BackupDatabase(destination);
        }
        // Prove the copy is usable before reporting success.
        await using (var check = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        {
            await check.OpenAsync(ct);
            var integrity = await check.ExecuteScalarAsync<string>(new CommandDefinition("PRAGMA integrity_check", cancellationToken: ct));
            if (integrity != "ok") { Console.Error.WriteLine($"Backup integrity check failed: {integrity}"); return 1; }
            var migrations = await check.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM schema_migrations", cancellationToken: ct));
            Console.WriteLine($"Backed up the database to {target} ({new FileInfo(target).Length} bytes, {migrations} migrations, integrity ok).");
        }
        Console.WriteLine("Local objects (Storage:Local:Directory) and keys are files: copy them alongside (see docs/RUNBOOKS.md).");
        return 0;
    }

    private static async Task<int> JobsAsync(WebApplication app, CancellationToken ct)
    {
        var db = app.Services.GetRequiredService<Db>();
        await using var c = await db.OpenAsync(ct);
        var counts = await c.QueryAsync<(string Status, long Count)>(new CommandDefinition(
            "SELECT status, COUNT(*) FROM ingestion_jobs GROUP BY status ORDER BY status", cancellationToken: ct));
        Console.WriteLine("Ingestion jobs by state:");
        foreach (var (status, count) in counts) Console.WriteLine($"  {status,-10} {count}");
        var failed = (await c.QueryAsync<(string Id, string DocumentId, long Attempts, string? Error)>(new CommandDefinition(
            $"SELECT {Text(db, "id")}, {Text(db, "document_id")}, attempts, last_error FROM ingestion_jobs WHERE status = 'failed' ORDER BY updated_at DESC LIMIT 50",
            cancellationToken: ct))).ToList();
        if (failed.Count > 0)
        {
            Console.WriteLine("Latest failed jobs (job, document, attempts, error):");
            foreach (var f in failed) Console.WriteLine($"  {f.Id} {f.DocumentId} {f.Attempts} {f.Error}");
        }
        return 0;
    }

    /// <summary>Queues documents whose latest job failed again (after fixing the cause: a model, credentials, a file).</summary>
    private static async Task<int> RetryFailedAsync(WebApplication app, CancellationToken ct)
    {
        var db = app.Services.GetRequiredService<Db>();
        List<Guid> documents;
        await using (var c = await db.OpenAsync(ct))
        {
            documents = (await c.QueryAsync<string>(new CommandDefinition($"""
                SELECT {Text(db, "d.id")} FROM knowledge_documents d
                WHERE d.status = 'failed'
                  AND NOT EXISTS (SELECT 1 FROM ingestion_jobs j WHERE j.document_id = d.id AND j.status IN ('queued','running'))
                """, cancellationToken: ct))).Select(Guid.Parse).ToList();
        }
        var queue = app.Services.GetRequiredService<TeacherPlatform.Ingestion.Jobs.IngestionJobQueue>();
        foreach (var id in documents) await queue.EnqueueAsync(id, ct);
        Console.WriteLine($"Queued {documents.Count} failed document(s) again; workers pick them up (watch with `jobs`).");
        return 0;
    }

    private static string Text(Db db, string column) => db.IsPostgres ? $"{column}::text" : column;
}
