using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TeacherPlatform.Ai.Retrieval;

/// <summary>
/// Saves the embedded vector index's snapshot every <see cref="SearchOptions.VectorIndexSaveInterval"/> when it changed
/// (after ingestion, deletes) and once more at shutdown, so the next start loads the graph instead of rebuilding it.
/// A failed save is logged and costs only a catch-up or rebuild at the next start.
/// </summary>
public sealed class VectorIndexSnapshotService(IKnowledgeIndex index, IOptions<SearchOptions> options, TimeProvider clock,
    ILogger<VectorIndexSnapshotService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (index is not SqliteKnowledgeIndex sqlite || !options.Value.PersistVectorIndex) return;
        using var timer = new PeriodicTimer(options.Value.VectorIndexSaveInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await SaveAsync(sqlite, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (index is SqliteKnowledgeIndex sqlite) await SaveAsync(sqlite, cancellationToken);
    }

    private async Task SaveAsync(SqliteKnowledgeIndex sqlite, CancellationToken ct)
    {
        try { await sqlite.SaveSnapshotAsync(ct); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(ex, "Could not write the vector index snapshot; the next start catches up or rebuilds instead");
        }
    }
}
