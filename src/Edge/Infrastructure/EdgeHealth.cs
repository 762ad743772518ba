using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;
using TeacherPlatform.Edge.Proxy;

namespace TeacherPlatform.Edge.Infrastructure;

public static class EdgeHealth
{
    /// <summary>
    /// GET /edge/health: the edge answers, with each API instance's state as YARP sees it (active probe and passive
    /// failure detection). 200 while at least one instance is usable, else 503.
    /// </summary>
    public static IEndpointConventionBuilder MapEdgeHealth(this WebApplication app) =>
        app.MapGet("/edge/health", (IProxyStateLookup proxy) =>
        {
            if (!proxy.TryGetCluster(ProxySetup.ClusterId, out var cluster))
                return Results.Json(new { status = "unhealthy", upstreams = Array.Empty<object>() }, statusCode: 503);
            var available = cluster.DestinationsState.AvailableDestinations;
            var upstreams = cluster.Destinations.Values.OrderBy(d => d.DestinationId).Select(d => new
            {
                id = d.DestinationId,
                address = d.Model.Config.Address,
                active = Name(d.Health.Active),
                passive = Name(d.Health.Passive),
                available = available.Contains(d),
                concurrent_requests = d.ConcurrentRequestCount,
            }).ToList();
            var healthy = upstreams.Count(u => u.available && u.active != "unhealthy" && u.passive != "unhealthy");
            var status = healthy == upstreams.Count ? "ok" : healthy > 0 ? "degraded" : "unhealthy";
            return Results.Json(new { status, upstreams }, statusCode: healthy > 0 ? 200 : 503);
        });

    private static string Name(DestinationHealth health) => health switch
    {
        DestinationHealth.Healthy => "healthy",
        DestinationHealth.Unhealthy => "unhealthy",
        _ => "unknown",
    };
}
