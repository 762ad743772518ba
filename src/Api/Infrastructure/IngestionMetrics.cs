using System.Diagnostics.Metrics;
using Dapper;
using TeacherPlatform.Core.Persistence;
using TeacherPlatform.Core.Telemetry;

namespace TeacherPlatform.Api.Infrastructure;

/// <summary>
/// Observable gauges for dashboards and alerts: ingestion jobs by state (queued, running, succeeded, failed),
/// the queue depth (jobs waiting, runnable now or later) and the age of the oldest runnable job. The database is
/// sampled in the background every <see cref="MetricsSettings.SampleInterval"/>, never inside a scrape.
/// </summary>
public sealed class IngestionMetrics : BackgroundService
{
    private static readonly string[] States = ["queued", "running", "succeeded", "failed"];
    private readonly Db _db;
    private readonly TimeProvider _clock;
    private readonly ILogger<IngestionMetrics> _logger;
    private readonly TimeSpan _interval;
    private volatile IReadOnlyDictionary<string, long> _byState = new Dictionary<string, long>();
    private double _oldestQueuedSeconds;

    public IngestionMetrics(Db db, TimeProvider clock, IMeterFactory meters, Microsoft.Extensions.Options.IOptions<MetricsSettings> settings, ILogger<IngestionMetrics> logger)
    {
        _db = db;
        _clock = clock;
        _logger = logger;
        _interval = settings.Value.SampleInterval;
        var meter = meters.Create(AppTelemetry.Name);
        meter.CreateObservableGauge("ingestion_jobs_by_state", () => States.Select(s =>
            new Measurement<long>(_byState.GetValueOrDefault(s), new KeyValuePair<string, object?>("state", s))), description: "Ingestion jobs by state");
        meter.CreateObservableGauge("ingestion_queue_depth", () => _byState.GetValueOrDefault("queued"), description: "Ingestion jobs waiting for a worker");
        meter.CreateObservableGauge("ingestion_oldest_queued_age", () => Volatile.Read(ref _oldestQueuedSeconds), "s", "Age of the oldest job waiting for a worker");
    }

    public async Task SampleAsync(CancellationToken ct)
    {
        await using var c = await _db.OpenAsync(ct);
        var counts = await c.QueryAsync<(string Status, long Count)>(new CommandDefinition(
            "SELECT status, COUNT(*) FROM ingestion_jobs GROUP BY status", cancellationToken: ct));
        _byState = counts.ToDictionary(x => x.Status, x => x.Count);
        var oldest = await c.ExecuteScalarAsync<object?>(new CommandDefinition(
            "SELECT MIN(created_at) FROM ingestion_jobs WHERE status = 'queued'", cancellationToken: ct));
        var age = oldest switch
        {
            DateTime dt => (_clock.GetUtcNow() - new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc))).TotalSeconds,
            DateTimeOffset dto => (_clock.GetUtcNow() - dto).TotalSeconds,
            string s when DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed) => (_clock.GetUtcNow() - parsed).TotalSeconds,
            _ => 0,
        };
        Volatile.Write(ref _oldestQueuedSeconds, Math.Max(0, age));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _clock);
        do
        {
            try { await SampleAsync(stoppingToken); }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogDebug(ex, "Could not sample ingestion job counts");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

public static class IngestionMetricsSetup
{
    public static IServiceCollection AddIngestionMetrics(this IServiceCollection services)
    {
        services.AddSingleton<IngestionMetrics>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestionMetrics>());
        return services;
    }
}
