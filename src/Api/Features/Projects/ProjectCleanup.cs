using Microsoft.Extensions.Options;
using TeacherPlatform.Core.Projects;
using TeacherPlatform.Core.Storage;

namespace TeacherPlatform.Api.Features.Projects;

/// <summary>
/// One cleanup pass: removes unconfirmed projects whose upload expired (past the grace period) together with their objects,
/// then retries storage deletions that failed earlier (the <c>storage_deletions</c> outbox).
/// </summary>
public sealed class ProjectCleanup(ProjectStore projects, StorageDeletionOutbox deletions, TimeProvider clock, IOptions<ProjectOptions> options,
    ILogger<ProjectCleanup> logger)
{
    private const int Batch = 100;

    public async Task<(int ExpiredProjects, int ObjectsDeleted)> RunOnceAsync(CancellationToken ct)
    {
        var cutoff = clock.GetUtcNow() - options.Value.PendingGracePeriod;
        var expired = 0;
        foreach (var id in await projects.ExpiredPendingAsync(cutoff, Batch, ct))
        {
            // Conditional delete: a confirm that won the race keeps its project.
            if (await projects.DeleteAsync(id, onlyIfPendingBefore: cutoff, ct) is not null) expired++;
        }

        var deleted = await deletions.DrainAsync(Batch, ct);
        if (expired > 0 || deleted > 0)
            logger.LogInformation("Project cleanup: {Expired} expired uploads removed, {Deleted} stored objects deleted", expired, deleted);
        return (expired, deleted);
    }
}

/// <summary>Runs <see cref="ProjectCleanup"/> every <see cref="ProjectOptions.CleanupInterval"/> (on the injected <see cref="TimeProvider"/>).</summary>
public sealed class ProjectCleanupService(ProjectCleanup cleanup, TimeProvider clock, IOptions<ProjectOptions> options, ILogger<ProjectCleanupService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CleanupInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await cleanup.RunOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Project cleanup failed; retrying at the next interval");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
