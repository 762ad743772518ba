using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
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

public static class Health
{
    /// <summary>
    /// GET /api/health: readiness of each dependency (database, storage, embedder, LLM); per-check details for administrators.
    /// A failing LLM or hosted embedder degrades (200) rather than fails (503) readiness: every instance shares them,
    /// so taking instances out of the load balancer would turn a partial outage (no answers) into a full one.
    /// GET /api/health/live: liveness only (the process answers), for orchestrators.
    /// </summary>
    public static IEndpointRouteBuilder MapApiHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/api/health", new HealthCheckOptions
        {
            ResponseWriter = WriteAsync,
            ResultStatusCodes = { [HealthStatus.Healthy] = 200, [HealthStatus.Degraded] = 200, [HealthStatus.Unhealthy] = 503 },
        }).WithMetadata(new HttpMethodMetadata(["GET", "HEAD"])).AllowAnonymous().DisableRateLimiting();
        // HEAD too, for load balancers that probe with it; one documented operation.
        app.MapMethods("/api/health/live", ["HEAD"], () => TypedResults.Ok()).AllowAnonymous().DisableRateLimiting().ExcludeFromDescription();
        app.MapGet("/api/health/live", () => TypedResults.Ok(new { status = "alive" }))
            .AllowAnonymous().DisableRateLimiting().WithTags("Health").WithName("Liveness").WithSummary("Liveness only: the process answers");
        return app;
    }

    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        // Check names, versions and error messages help attackers: anonymous callers get the overall status only.
        if (http.User.FindFirst("role")?.Value is not { } role || !TeacherPlatform.Core.Authorization.RoleRules.IsAdmin(role))
        {
            return http.Response.WriteAsync(JsonSerializer.Serialize(new
            {
                status = report.Status.ToString().ToLowerInvariant(),
                live = true,
                ready = report.Status != HealthStatus.Unhealthy,
            }));
        }
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
