using Dapper;
using Microsoft.Extensions.Options;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Ingestion.Jobs;

/// <summary>
/// A durable job queue in the database. Workers lease a job for a limited time and renew the lease while working;
/// a job whose lease expired (its worker crashed) is leased again. PostgreSQL picks with FOR UPDATE SKIP LOCKED so
/// many workers in many instances never take the same job; SQLite serialises writers, which gives the same guarantee.
/// </summary>
public sealed class IngestionJobQueue(Db db, TimeProvider clock, IOptions<IngestionOptions> options, JobSignal signal)
{
    private const string Columns = "id, document_id, status, attempts, max_attempts, lease_owner, lease_expires_at, last_error, completed_steps, step_state";

    public async Task<Guid> EnqueueAsync(Guid documentId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        // One waiting job per document is enough; a running one finishes and the queued one re-processes.
        var queued = await c.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT id FROM ingestion_jobs WHERE document_id = @documentId AND status = 'queued'", new { documentId }, tx, cancellationToken: ct));
        if (queued is { } existing)
        {
            // A waiting retry of an earlier run: the document is processed anew, not resumed from that run's steps.
            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE ingestion_jobs SET completed_steps = '', step_state = NULL, updated_at = @now WHERE id = @existing",
                new { existing, now }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            signal.Notify();
            return existing;
        }
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ingestion_jobs (id, document_id, status, attempts, max_attempts, run_after, created_at, updated_at)
            VALUES (@id, @documentId, 'queued', 0, @max, @now, @now, @now)
            """, new { id, documentId, max = options.Value.MaxAttempts, now }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition("""
            UPDATE knowledge_documents SET status = 'processing', stage = 'queued', progress_done = 0, progress_total = 0,
                error_code = NULL, error_message = NULL, updated_at = @now WHERE id = @documentId
            """, new { documentId, now }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        signal.Notify();
        return id;
    }

    /// <summary>
    /// Leases the next due job (queued and due, or running with an expired lease), fairly across owners: first the
    /// owners with the fewest jobs running now, then the owner served longest ago (or never), then the oldest job. One
    /// user's hundred uploads therefore take turns with everyone else's instead of queueing ahead of them.
    /// </summary>
    public async Task<IngestionJob?> LeaseNextAsync(string worker, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        static string Due(string j) => $"(({j}.status = 'queued' AND {j}.run_after <= @now) OR ({j}.status = 'running' AND {j}.lease_expires_at < @now))";
        // Only owners with a due job are aggregated; SQLite serialises writers, PostgreSQL skips rows other workers lock.
        var pick = $"""
            SELECT j.id FROM ingestion_jobs j
            JOIN knowledge_documents d ON d.id = j.document_id
            LEFT JOIN (
                SELECT od.owner_id,
                       SUM(CASE WHEN oj.status = 'running' AND oj.lease_expires_at >= @now THEN 1 ELSE 0 END) AS running,
                       MAX(oj.updated_at) AS last_served
                FROM ingestion_jobs oj JOIN knowledge_documents od ON od.id = oj.document_id
                WHERE oj.status <> 'queued' AND od.owner_id IN (
                    SELECT qd.owner_id FROM ingestion_jobs qj JOIN knowledge_documents qd ON qd.id = qj.document_id WHERE {Due("qj")})
                GROUP BY od.owner_id
            ) o ON o.owner_id = d.owner_id
            WHERE {Due("j")}
            ORDER BY COALESCE(o.running, 0), (o.last_served IS NOT NULL), o.last_served, j.run_after, j.id
            LIMIT 1{(db.IsPostgres ? " FOR UPDATE OF j SKIP LOCKED" : "")}
            """;
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<IngestionJob>(new CommandDefinition($"""
            UPDATE ingestion_jobs SET status = 'running', lease_owner = @worker, lease_expires_at = @until, attempts = attempts + 1, updated_at = @now
            WHERE id = ({pick})
            RETURNING {Columns}
            """, new { worker, now, until = now + options.Value.LeaseDuration }, cancellationToken: ct));
    }

    /// <returns>false when the job is gone (document deleted) or was taken over by another worker.</returns>
    public async Task<bool> RenewLeaseAsync(Guid jobId, string worker, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE ingestion_jobs SET lease_expires_at = @until, updated_at = @now WHERE id = @jobId AND lease_owner = @worker AND status = 'running'",
            new { jobId, worker, until = now + options.Value.LeaseDuration, now }, cancellationToken: ct)) == 1;
    }

    /// <summary>Records the steps completed so far and the state after them; only the job's current owner can.</summary>
    /// <returns>false when the job is gone or owned by another worker now.</returns>
    public async Task<bool> RecordStepsAsync(Guid jobId, string worker, IReadOnlyList<string> completedSteps, string? state, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE ingestion_jobs SET completed_steps = @steps, step_state = @state, updated_at = @now WHERE id = @jobId AND lease_owner = @worker",
            new { jobId, worker, steps = string.Join(',', completedSteps), state, now = clock.GetUtcNow() }, cancellationToken: ct)) == 1;
    }

    public async Task CompleteAsync(Guid jobId, string worker, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE ingestion_jobs SET status = 'succeeded', lease_owner = NULL, lease_expires_at = NULL, step_state = NULL, updated_at = @now WHERE id = @jobId AND lease_owner = @worker",
            new { jobId, worker, now = clock.GetUtcNow() }, cancellationToken: ct));
    }

    /// <summary>Requeues with exponential backoff, or fails for good after the last attempt (or a permanent error).</summary>
    /// <returns>true when the job will be retried.</returns>
    public async Task<bool> FailAsync(IngestionJob job, string worker, string error, bool permanent, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var retry = !permanent && job.Attempts < job.MaxAttempts;
        var delay = options.Value.RetryBaseDelay * Math.Pow(2, Math.Max(0, job.Attempts - 1));
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            UPDATE ingestion_jobs SET status = @status, run_after = @runAfter, lease_owner = NULL, lease_expires_at = NULL,
                last_error = @error, step_state = CASE WHEN @status = 'failed' THEN NULL ELSE step_state END, updated_at = @now
            WHERE id = @id AND lease_owner = @worker
            """, new { id = job.Id, worker, status = retry ? "queued" : "failed", runAfter = now + delay, error, now }, cancellationToken: ct));
        return retry;
    }

    /// <summary>Graceful shutdown: hand the job back at once so another worker (or the next start) continues it.</summary>
    public async Task ReleaseAsync(Guid jobId, string worker, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            UPDATE ingestion_jobs SET status = 'queued', run_after = @now, lease_owner = NULL, lease_expires_at = NULL,
                attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, updated_at = @now
            WHERE id = @jobId AND lease_owner = @worker
            """, new { jobId, worker, now }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<IngestionJob>> JobsForDocumentAsync(Guid documentId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<IngestionJob>(new CommandDefinition(
            $"SELECT {Columns} FROM ingestion_jobs WHERE document_id = @documentId ORDER BY created_at", new { documentId }, cancellationToken: ct))).ToList();
    }
}

/// <summary>Wakes idle workers in this process when a job is enqueued (other processes poll).</summary>
public sealed class JobSignal
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    public void Notify() { if (_signal.CurrentCount < 16) _signal.Release(); }
    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
