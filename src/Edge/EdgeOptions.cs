namespace TeacherPlatform.Edge;

/// <summary>Bound from the <c>Edge</c> section (env: <c>Edge__Upstreams__0</c>, <c>Edge__Cache__MaxBytes</c>, …).</summary>
public sealed class EdgeOptions
{
    public const string Section = "Edge";
    public const string DefaultUpstream = "http://127.0.0.1:5000";

    /// <summary>Base URLs of the API instances; empty means <see cref="DefaultUpstream"/>.</summary>
    public string[] Upstreams { get; set; } = [];

    /// <summary>YARP load-balancing policy: PowerOfTwoChoices, RoundRobin, LeastRequests, Random, FirstAlphabetical.</summary>
    public string LoadBalancingPolicy { get; set; } = "PowerOfTwoChoices";

    /// <summary>Also proxy the API's <c>/metrics</c> (off by default: Prometheus data is not for the internet).</summary>
    public bool ProxyMetrics { get; set; }

    /// <summary>How long the API's "this user may read this project" answer is reused: a revoked grant works at most this long.</summary>
    public TimeSpan AccessCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Idle timeout of an upstream request (no bytes either way); long enough for a slow model between SSE events.</summary>
    public TimeSpan UpstreamActivityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Other instances tried when an idempotent request could not connect to the chosen one.</summary>
    public int MaxConnectRetries { get; set; } = 2;

    public EdgeHealthCheckOptions HealthChecks { get; set; } = new();
    public EdgeAuthOptions Auth { get; set; } = new();
    public EdgeCacheOptions Cache { get; set; } = new();
    public EdgeStorageOptions Storage { get; set; } = new();
    public EdgeRateLimitOptions RateLimiting { get; set; } = new();
    public EdgeLimitsOptions Limits { get; set; } = new();
    public EdgeCorsOptions Cors { get; set; } = new();

    public IReadOnlyList<string> EffectiveUpstreams =>
        Upstreams.Where(u => !string.IsNullOrWhiteSpace(u)).Select(u => u.TrimEnd('/')).Distinct().DefaultIfEmpty(DefaultUpstream).ToList();
}

public sealed class EdgeHealthCheckOptions
{
    /// <summary>Active probe of <c>/api/health/live</c> on every instance.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>How long an instance marked unhealthy by passive detection (transport failures) stays out.</summary>
    public TimeSpan ReactivationPeriod { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class EdgeAuthOptions
{
    public string Issuer { get; set; } = "teacherplatform";
    public string Audience { get; set; } = "teacherplatform-api";
    /// <summary>Where the API publishes its keys; empty means <c>{upstream}/.well-known/jwks.json</c> of a healthy instance.</summary>
    public string? JwksUrl { get; set; }
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>An unknown <c>kid</c> refreshes the keys at most this often (forged kids cannot hammer the API).</summary>
    public TimeSpan JwksMinimumRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class EdgeCacheOptions
{
    /// <summary>Directory of cached project files; empty means <c>{temp}/teacherplatform-edge-cache</c>.</summary>
    public string? Directory { get; set; }
    /// <summary>Cap on the bytes on disk (least-recently-used files are evicted; bigger files are passed through).</summary>
    public long MaxBytes { get; set; } = 1L << 30;
    /// <summary>Upper bound for one origin fetch into the cache.</summary>
    public TimeSpan FillTimeout { get; set; } = TimeSpan.FromMinutes(2);
}

public enum EdgeStorageProvider { Local, S3 }

/// <summary>Where cache misses are filled from: the API's own stream (Local) or the object store directly (S3/R2).</summary>
public sealed class EdgeStorageOptions
{
    public EdgeStorageProvider Provider { get; set; } = EdgeStorageProvider.Local;
    public EdgeS3Options S3 { get; set; } = new();
}

public sealed class EdgeS3Options
{
    public string? ServiceUrl { get; set; }
    public string Bucket { get; set; } = "";
    public string Region { get; set; } = "auto";
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }
    public bool ForcePathStyle { get; set; } = true;
}

public sealed class EdgeRateLimitOptions
{
    public bool Enabled { get; set; } = true;
    /// <summary>Requests per client IP per window, before anything reaches the API.</summary>
    public int PermitLimit { get; set; } = 1200;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

public sealed class EdgeLimitsOptions
{
    /// <summary>Largest request body (uploads through the API's local provider included).</summary>
    public long MaxRequestBodyBytes { get; set; } = 60L * 1024 * 1024;
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;
    public int MaxRequestHeaderCount { get; set; } = 64;
    public int MaxRequestLineSize { get; set; } = 8 * 1024;
    /// <summary>Slow clients: the headers must arrive within this time.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(15);
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(120);
    /// <summary>Slow-body clients: minimum upload rate in bytes/s (after a 5 s grace period).</summary>
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;
}

public sealed class EdgeCorsOptions
{
    /// <summary>Browser origins allowed by the edge; when set the edge answers CORS itself and drops the API's CORS headers.</summary>
    public string[] AllowedOrigins { get; set; } = [];
}
