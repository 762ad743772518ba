using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Transforms;

namespace TeacherPlatform.Edge.Proxy;

/// <summary>YARP routes and the API cluster, built from <see cref="EdgeOptions"/> (in-memory config, no YAML to drift).</summary>
public static class ProxySetup
{
    public const string ClusterId = "api";

    /// <summary>Path patterns proxied to the API; the project stream route is served by the edge itself.</summary>
    public static IReadOnlyList<(string Id, string Path)> Routes(EdgeOptions o)
    {
        var routes = new List<(string, string)>
        {
            ("api", "/api/{**rest}"),
            ("well-known", "/.well-known/{**rest}"),
            ("openapi", "/openapi/{**rest}"),
            ("scalar", "/scalar/{**rest}"),
        };
        if (o.ProxyMetrics) routes.Add(("metrics", "/metrics"));
        return routes;
    }

    public static IServiceCollection AddEdgeProxy(this IServiceCollection services, EdgeOptions o)
    {
        var routes = Routes(o).Select(r => new RouteConfig
        {
            RouteId = r.Id,
            ClusterId = ClusterId,
            Match = new RouteMatch { Path = r.Path },
            // The edge is the only Server the internet sees (and it sends none).
            Transforms = [new Dictionary<string, string> { ["ResponseHeaderRemove"] = "Server" }],
        }).ToList();

        var upstreams = o.EffectiveUpstreams;
        var cluster = new ClusterConfig
        {
            ClusterId = ClusterId,
            LoadBalancingPolicy = o.LoadBalancingPolicy,
            Destinations = upstreams.Select((u, i) => (u, i)).ToDictionary(x => $"api-{x.i}", x => new DestinationConfig { Address = x.u }),
            HealthCheck = new HealthCheckConfig
            {
                Active = new ActiveHealthCheckConfig
                {
                    Enabled = true,
                    Interval = o.HealthChecks.Interval,
                    Timeout = o.HealthChecks.Timeout,
                    Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                    Path = "/api/health/live",
                },
                Passive = new PassiveHealthCheckConfig
                {
                    Enabled = true,
                    Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate,
                    ReactivationPeriod = o.HealthChecks.ReactivationPeriod,
                },
            },
            HttpRequest = new ForwarderRequestConfig { ActivityTimeout = o.UpstreamActivityTimeout, AllowResponseBuffering = false },
            HttpClient = new HttpClientConfig { DangerousAcceptAnyServerCertificate = false },
        };

        services.AddReverseProxy()
            .LoadFromMemory(routes, [cluster])
            // X-Forwarded-For/Proto/Host/Prefix are YARP's defaults (Set); say so explicitly so nobody turns them off by accident.
            .AddTransforms(t => t.AddXForwarded(ForwardedTransformActions.Set));
        services.AddSingleton<UpstreamClient>();
        return services;
    }

    /// <summary>The proxy pipeline: connect-failure retry wraps load balancing so a retry picks another instance.</summary>
    public static IEndpointConventionBuilder MapEdgeProxy(this WebApplication app) =>
        app.MapReverseProxy(p =>
        {
            p.UseMiddleware<ConnectRetryMiddleware>();
            p.UseSessionAffinity();
            p.UseLoadBalancing();
            p.UsePassiveHealthChecks();
        });
}
