using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TeacherPlatform.Ai.Retrieval;
using TeacherPlatform.Core.Knowledge;
using TeacherPlatform.Core.Telemetry;
using TeacherPlatform.Ingestion.Extraction;
using TeacherPlatform.Ingestion.Pipeline;

namespace TeacherPlatform.Ingestion.Jobs;

/// <summary>
/// Background workers that lease ingestion jobs and run the pipeline. While a job runs, a heartbeat renews its
/// lease; if the lease cannot be renewed (document deleted, job taken over) the job is cancelled. On shutdown the
/// running job is handed back to the queue.
/// </summary>
public sealed class IngestionWorker(
    IServiceProvider services, IngestionJobQueue queue, JobSignal signal, KnowledgeDocumentStore documents,
    IOptions<IngestionOptions> options, IOptions<ExtractionLimits> limits, TimeProvider clock, AppTelemetry telemetry,
    ILogger<IngestionWorker> logger) : BackgroundService
{
    /// <summary>Shown to the document's owner for failures we did not anticipate; details stay in the log.</summary>
    internal const string UnexpectedFailureMessage = "Processing failed unexpectedly. Try again later; if it keeps failing, the file may not be supported.";

    private readonly string _instance = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunWorkers) return Task.CompletedTask;
        return RunLoopsAsync(stoppingToken);
    }

    /// <summary>Runs the worker loops until cancelled (also used by the worker-only `worker` command).</summary>
    public Task RunLoopsAsync(CancellationToken ct) =>
        Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Value.Workers)).Select(i => Task.Run(() => LoopAsync($"{_instance}#{i}", ct), CancellationToken.None)));

    private async Task LoopAsync(string worker, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var job = await queue.LeaseNextAsync(worker, ct);
                if (job is null)
                {
                    await signal.WaitAsync(options.Value.PollInterval, ct);
                    continue;
                }
                await RunJobAsync(job, worker, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception ex)
            {
                logger.LogError(ex, "Ingestion worker {Worker} loop error", worker);
                try { await Task.Delay(options.Value.PollInterval, ct); } catch (OperationCanceledException) { break; }
            }
        }
    }

    /// <summary>Processes one leased job to its end: completed, retried, failed, or handed back on shutdown.</summary>
    public async Task RunJobAsync(IngestionJob job, string worker, CancellationToken stopping)
    {
        using var jobCts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var maxJobTime = limits.Value.MaxJobTime;
        using var deadline = maxJobTime > TimeSpan.Zero ? new CancellationTokenSource(maxJobTime, clock) : new CancellationTokenSource();
        using var deadlineRegistration = deadline.Token.Register(static state => ((CancellationTokenSource)state!).Cancel(), jobCts);
        using var heartbeat = StartHeartbeat(job, worker, jobCts);
        var document = await documents.GetAsync(job.DocumentId, stopping);
        if (document is null) return; // deleted: the cascade removed the job too
        using var scope = services.CreateScope();
        var pipeline = scope.ServiceProvider.GetRequiredService<IngestionPipeline>();
        try
        {
            var result = await pipeline.RunAsync(document, new JobCheckpoint(queue, job, worker), jobCts.Token);
            await queue.CompleteAsync(job.Id, worker, CancellationToken.None);
            if (result.Saved)
            {
                telemetry.IngestionJobs.Add(1, new KeyValuePair<string, object?>("outcome", "completed"));
                telemetry.IngestedChunks.Add(result.Chunks.Count);
                logger.LogInformation("Ingested document {DocumentId}: {Chunks} chunks", document.Id, result.Chunks.Count);
            }
            else
            {
                services.GetRequiredService<IKnowledgeIndex>().ForgetDocument(document.Id);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            await queue.ReleaseAsync(job.Id, worker, CancellationToken.None);
            logger.LogInformation("Shutdown: handed job {JobId} back to the queue", job.Id);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            var message = $"Processing took longer than the {maxJobTime.TotalMinutes:0.#}-minute limit per document.";
            await queue.FailAsync(job, worker, $"{ExtractionErrorCodes.ResourceLimitsExceeded}: {message}", permanent: true, CancellationToken.None);
            logger.LogWarning("Document {DocumentId} failed: {Code} {Message}", document.Id, ExtractionErrorCodes.ResourceLimitsExceeded, message);
            await documents.MarkFailedAsync(document.Id, ExtractionErrorCodes.ResourceLimitsExceeded, message, CancellationToken.None);
            telemetry.IngestionJobs.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
        }
        catch (OperationCanceledException)
        {
            // Lease lost: the document was deleted (cascade) or another worker owns the job now.
            logger.LogInformation("Job {JobId} for document {DocumentId} cancelled (lease lost or document deleted)", job.Id, job.DocumentId);
        }
        catch (Exception ex)
        {
            var (code, message, permanent) = ex switch
            {
                ExtractionException e => (e.Code, e.Message, e.IsPermanent),
                // Database or embedding outages may pass: retried. The raw exception text is for the log, not the user.
                _ => ("ingestion_failed", UnexpectedFailureMessage, false),
            };
            var retry = await queue.FailAsync(job, worker, $"{code}: {message}", permanent, CancellationToken.None);
            if (retry)
            {
                logger.LogWarning(ex, "Job {JobId} attempt {Attempt} failed; will retry", job.Id, job.Attempts);
                await documents.UpdateProgressAsync(document.Id, DocumentStatus.Processing, "retrying", 0, 0, CancellationToken.None);
            }
            else
            {
                logger.LogWarning(ex is ExtractionException ? null : ex, "Document {DocumentId} failed: {Code} {Message}", document.Id, code, message);
                await documents.MarkFailedAsync(document.Id, code, message, CancellationToken.None);
                telemetry.IngestionJobs.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
            }
        }
    }

    /// <summary>The job row as the pipeline's checkpoint: steps completed by earlier attempts are not run again.</summary>
    private sealed class JobCheckpoint(IngestionJobQueue queue, IngestionJob job, string worker) : IPipelineCheckpoint
    {
        public IReadOnlyList<string> CompletedSteps => job.CompletedStepNames;
        public string? State => job.StepState;

        public async Task SaveAsync(IReadOnlyList<string> completedSteps, string? state, CancellationToken ct)
        {
            // Not the owner any more (lease lost, document deleted): stop like a failed lease renewal does.
            if (!await queue.RecordStepsAsync(job.Id, worker, completedSteps, state, ct))
                throw new OperationCanceledException("The job's lease was lost.");
        }
    }

    private Timer StartHeartbeat(IngestionJob job, string worker, CancellationTokenSource jobCts)
    {
        var period = options.Value.LeaseDuration / 3;
        var busy = 0;
        return new Timer(async _ =>
        {
            if (Interlocked.Exchange(ref busy, 1) == 1) return;
            try
            {
                if (!await queue.RenewLeaseAsync(job.Id, worker, CancellationToken.None)) await jobCts.CancelAsync();
            }
            catch (Exception ex) { logger.LogWarning(ex, "Could not renew the lease of job {JobId}", job.Id); }
            finally { Volatile.Write(ref busy, 0); }
        }, null, period, period);
    }
}
