using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Core.Storage;

/// <summary>A stored object queued for deletion.</summary>
public sealed record StorageDeletion(Guid Id, string StorageKey);

/// <summary>
/// Outbox for stored objects whose database rows are gone: the row delete and the outbox insert share a transaction,
/// then the object is deleted from storage. A storage failure leaves the outbox row, retried with backoff by the
/// cleanup job, so the database never points at a missing file and no file is orphaned for good.
/// </summary>
public sealed class StorageDeletionOutbox(Db db, IObjectStorage storage, TimeProvider clock, ILogger<StorageDeletionOutbox> logger)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

    private sealed class Row
    {
        public Guid Id { get; init; }
        public string StorageKey { get; init; } = "";
        public int Attempts { get; init; }
    }

    /// <summary>Queues <paramref name="key"/> inside the caller's transaction.</summary>
    public static async Task<StorageDeletion> EnqueueAsync(DbConnection c, DbTransaction tx, string key, DateTimeOffset now, CancellationToken ct)
    {
        var id = Guid.CreateVersion7(now);
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO storage_deletions (id, storage_key, attempts, next_attempt_at, last_error, created_at)
            VALUES (@id, @key, 0, @now, NULL, @now)
            """, new { id, key, now }, tx, cancellationToken: ct));
        return new StorageDeletion(id, key);
    }

    /// <summary>Deletes the object now; on failure records the attempt for a later retry.</summary>
    /// <returns>true when the object is gone and the outbox row removed.</returns>
    public Task<bool> TryDeleteAsync(StorageDeletion deletion, CancellationToken ct) => ProcessAsync(deletion.Id, deletion.StorageKey, 0, ct);

    /// <summary>Retries the deletions that are due. Returns how many succeeded.</summary>
    public async Task<int> DrainAsync(int limit, CancellationToken ct)
    {
        List<Row> due;
        await using (var c = await db.OpenAsync(ct))
        {
            due = (await c.QueryAsync<Row>(new CommandDefinition(
                "SELECT id, storage_key, attempts FROM storage_deletions WHERE next_attempt_at <= @now ORDER BY next_attempt_at LIMIT @limit",
                new { now = clock.GetUtcNow(), limit }, cancellationToken: ct))).ToList();
        }

        var done = 0;
        foreach (var row in due)
        {
            if (await ProcessAsync(row.Id, row.StorageKey, row.Attempts, ct)) done++;
        }
        return done;
    }

    public async Task<long> PendingCountAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM storage_deletions", cancellationToken: ct));
    }

    private async Task<bool> ProcessAsync(Guid id, string key, int attempts, CancellationToken ct)
    {
        string? error = null;
        try
        {
            await storage.DeleteAsync(key, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Deleting stored object {Key} failed (attempt {Attempt}); it will be retried", key, attempts + 1);
            error = ex.GetType().Name + ": " + ex.Message;
        }

        // Storage I/O is done before the connection opens: never hold a connection across a remote call.
        await using var c = await db.OpenAsync(ct);
        if (error is null)
        {
            await c.ExecuteAsync(new CommandDefinition("DELETE FROM storage_deletions WHERE id = @id", new { id }, cancellationToken: ct));
            return true;
        }

        var backoff = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, 30 * Math.Pow(2, Math.Min(attempts, 16))));
        await c.ExecuteAsync(new CommandDefinition("""
            UPDATE storage_deletions SET attempts = attempts + 1, next_attempt_at = @next, last_error = @error WHERE id = @id
            """, new { id, next = clock.GetUtcNow() + backoff, error = error.Length > 500 ? error[..500] : error }, cancellationToken: ct));
        return false;
    }
}
