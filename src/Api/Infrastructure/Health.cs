using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Api.Infrastructure;

public sealed class DatabaseHealthCheck(Db db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var c = await db.OpenAsync(ct);
            await c.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct));
            return HealthCheckResult.Healthy(db.Provider.ToString().ToLowerInvariant());
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy(db.Provider.ToString().ToLowerInvariant(), ex);
        }
    }
}

public sealed class StorageHealthCheck(TeacherPlatform.Core.Storage.IObjectStorage storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            return await storage.IsReadyAsync(ct) ? HealthCheckResult.Healthy(storage.Provider) : HealthCheckResult.Unhealthy(storage.Provider);
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy(storage.Provider, ex);
        }
    }
}

public sealed class EmbedderHealthCheck(TeacherPlatform.Ai.Embeddings.IEmbeddingModel model) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var description = $"{model.ModelId} ({model.Dimensions} dims)";
        try
        {
            var v = await model.EmbedQueryAsync("health", ct);
            return v.Length == model.Dimensions ? HealthCheckResult.Healthy(description) : HealthCheckResult.Unhealthy(description);
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy(description, ex);
        }
    }
}

public sealed class LlmHealthCheck(TeacherPlatform.Ai.Connectors.ChatConnectorInfo connector) : IHealthCheck
{
    // Configuration readiness only: probing a hosted model on every health poll would cost money and rate limit.
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(HealthCheckResult.Healthy($"{connector.ProviderName}: {connector.ModelId}"));
}

public static class Health
{
    /// <summary>
    /// GET /api/health: readiness of each dependency (database, storage, embedder, LLM) with per-check status.
    /// GET /api/health/live: liveness only (the process answers), for orchestrators.
    /// </summary>
    public static IEndpointRouteBuilder MapApiHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/api/health", new HealthCheckOptions
        {
            ResponseWriter = WriteAsync,
            ResultStatusCodes = { [HealthStatus.Healthy] = 200, [HealthStatus.Degraded] = 200, [HealthStatus.Unhealthy] = 503 },
        }).AllowAnonymous().DisableRateLimiting();
        app.MapGet("/api/health/live", () => TypedResults.Ok(new { status = "alive" }))
            .AllowAnonymous().DisableRateLimiting().WithTags("Health");
        return app;
    }

    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            live = true,
            ready = report.Status != HealthStatus.Unhealthy,
            duration_ms = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString().ToLowerInvariant(),
                description = e.Value.Description,
                duration_ms = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                error = e.Value.Exception?.Message,
            }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
