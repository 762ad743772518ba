using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.KeyPerFile;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace TeacherPlatform.Api.Infrastructure;

/// <summary>Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed. Nobody else's are.</summary>
public sealed class ForwardedHeadersSettings
{
    public const string Section = "ForwardedHeaders";
    /// <summary>Addresses of the load balancers / reverse proxies in front of the API, e.g. 10.0.0.5.</summary>
    public string[] KnownProxies { get; set; } = [];
    /// <summary>Networks (CIDR) of the proxies, e.g. 10.0.0.0/8 or 172.16.0.0/12 for a compose network.</summary>
    public string[] KnownNetworks { get; set; } = [];
    /// <summary>How many proxy hops to unwind (a CDN in front of a load balancer is 2).</summary>
    public int ForwardLimit { get; set; } = 1;
    public bool Enabled => KnownProxies.Length > 0 || KnownNetworks.Length > 0;
}

/// <summary>Who may read /metrics.</summary>
public sealed class MetricsSettings
{
    public const string Section = "Metrics";
    /// <summary>Client networks (CIDR) allowed to scrape; empty means loopback only.</summary>
    public string[] AllowedNetworks { get; set; } = [];
    // Not a property default: the binder would append configured entries to it instead of replacing it.
    public IReadOnlyList<string> EffectiveAllowedNetworks => AllowedNetworks.Length > 0 ? AllowedNetworks : ["127.0.0.0/8", "::1/128"];
    /// <summary>When set, /metrics answers only on connections to this local port (add it to the listen URLs,
    /// e.g. ASPNETCORE_URLS=http://+:8080;http://+:9464) and the port is not published to clients.</summary>
    public int? Port { get; set; }
    /// <summary>How often the ingestion job gauges are read from the database.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>How often health checks run for the health_check_status gauge.</summary>
    public TimeSpan HealthCheckPeriod { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Host setup for running in production: secret files, trusted proxies, metrics access, OpenAPI security.</summary>
public static class Operations
{
    public const string DefaultSecretsDirectory = "/run/secrets";

    /// <summary>
    /// Key-per-file secrets (the Docker/Kubernetes convention): each file in <c>Secrets:Directory</c> (default
    /// /run/secrets when it exists) is a setting named like its environment variable, e.g. a file
    /// <c>Database__ConnectionString</c>. Precedence: command line > environment > secret files > appsettings.
    /// </summary>
    public static ConfigurationManager AddSecretFiles(this ConfigurationManager configuration)
    {
        var directory = configuration["Secrets:Directory"];
        if (string.IsNullOrWhiteSpace(directory))
        {
            if (!Directory.Exists(DefaultSecretsDirectory)) return configuration;
            directory = DefaultSecretsDirectory;
        }
        else if (!Directory.Exists(directory))
        {
            throw new InvalidOperationException($"Secrets:Directory '{directory}' does not exist.");
        }
        var source = new KeyPerFileConfigurationSource
        {
            // Hidden entries (Kubernetes' ..data links) are excluded by the provider's default filters.
            FileProvider = new PhysicalFileProvider(Path.GetFullPath(directory)),
            Optional = false,
        };
        var sources = configuration.Sources;
        var environment = -1;
        for (var i = 0; i < sources.Count; i++)
            if (sources[i] is EnvironmentVariablesConfigurationSource { Prefix: null or "" }) environment = i;
        if (environment < 0) sources.Add(source); else sources.Insert(environment, source);
        return configuration;
    }

    public static WebApplicationBuilder AddOperations(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddHealthProbes(configuration);
        services.AddIngestionMetrics();
        services.AddApiOpenApiDocs();

        services.AddOptions<ForwardedHeadersSettings>().Bind(configuration.GetSection(ForwardedHeadersSettings.Section));
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ForwardedHeadersSettings>>((o, settings) =>
        {
            var s = settings.Value;
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = s.ForwardLimit;
            // The defaults trust loopback; only what the operator names is trusted.
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in s.KnownProxies) o.KnownProxies.Add(IPAddress.Parse(proxy));
            foreach (var network in s.KnownNetworks) o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        });
        services.AddOptions<MetricsSettings>().Bind(configuration.GetSection(MetricsSettings.Section));
        return builder;
    }

    /// <summary>First in the pipeline: the client address everything else sees (rate limits, logs) is the real one.</summary>
    public static WebApplication UseTrustedForwardedHeaders(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ForwardedHeadersSettings>>().Value.Enabled)
        {
            // A connection without a peer address (in-process) would otherwise be trusted by the middleware.
            app.UseWhen(http => http.Connection.RemoteIpAddress is not null, b => b.UseForwardedHeaders());
        }
        return app;
    }

    /// <summary>/metrics (Prometheus text) for allowed networks and, when configured, only on the metrics port.</summary>
    public static WebApplication MapMetrics(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<MetricsSettings>>().Value;
        var networks = settings.EffectiveAllowedNetworks.Select(n => System.Net.IPNetwork.Parse(n)).ToArray();
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/metrics"), b => b.Use(async (http, next) =>
        {
            var remote = http.Connection.RemoteIpAddress;
            if (remote is { IsIPv4MappedToIPv6: true }) remote = remote.MapToIPv4();
            // No peer address means an in-process or Unix-socket caller: local by definition.
            var allowedNetwork = remote is null || networks.Any(n => n.Contains(remote));
            var allowedPort = settings.Port is not { } port || http.Connection.LocalPort == port || http.Connection.LocalPort == 0;
            if (!allowedNetwork || !allowedPort)
            {
                await ProblemHandling.WriteAsync(http, 404, "not_found", "Not Found", "No such resource.");
                return;
            }
            await next(http);
        }));
        app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(new HttpMethodMetadata(["GET", "HEAD"])).AllowAnonymous().DisableRateLimiting(); // guarded by network and port above
        return app;
    }
}
