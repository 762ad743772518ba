using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using TeacherPlatform.Api.Auth;

namespace TeacherPlatform.Api.Infrastructure;

public sealed class RateLimitOptions
{
    public const string Section = "RateLimiting";
    public bool Enabled { get; set; } = true;
    /// <summary>Requests per window for an authenticated user (partitioned by user id).</summary>
    public int UserPermitLimit { get; set; } = 600;
    /// <summary>Requests per window for anonymous callers (partitioned by client IP).</summary>
    public int AnonymousPermitLimit { get; set; } = 120;
    /// <summary>Register/login/refresh per IP: stricter, to slow credential stuffing.</summary>
    public int AuthPermitLimit { get; set; } = 20;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Share the counters through Redis (Cache:Redis) so N instances enforce one limit, not N.</summary>
    public bool UseRedis { get; set; } = true;
}

/// <summary>
/// Built-in ASP.NET Core rate limiting: per user when authenticated, per client IP otherwise (the real client behind
/// trusted proxies, see ForwardedHeaders; IPv6 per /64); 429 + Retry-After. With Cache:Redis the fixed windows live
/// in Redis and are shared by every instance; if Redis fails, each instance falls back to its own in-memory window.
/// </summary>
public static class RateLimiting
{
    public const string AuthPolicy = "auth";

    public static IServiceCollection AddApiRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.Section));
        services.AddRateLimiter(_ => { });
        services.AddSingleton<RateLimitRedis>();
        // Configured from IOptions so that settings added after registration (tests, env) are honoured.
        services.AddOptions<RateLimiterOptions>().Configure<Microsoft.Extensions.Options.IOptions<RateLimitOptions>, RateLimitRedis>((options, limits, redis) =>
        {
            var o = limits.Value;
            var shared = o.UseRedis ? redis.Multiplexer : null;
            RateLimitPartition<string> Fixed(string key, int permits) => shared is null
                ? RateLimitPartition.GetFixedWindowLimiter(key, _ => Window(permits, o.Window))
                : RateLimitPartition.Get(key, k => new FallbackRateLimiter(
                    new RedisRateLimiting.RedisFixedWindowRateLimiter<string>($"{redis.Prefix}rl:{k}", new RedisRateLimiting.RedisFixedWindowRateLimiterOptions
                    {
                        ConnectionMultiplexerFactory = () => shared, PermitLimit = permits, Window = o.Window,
                    }),
                    new FixedWindowRateLimiter(Window(permits, o.Window))));
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                if (!o.Enabled) return RateLimitPartition.GetNoLimiter("off");
                var userId = http.User.Identity?.IsAuthenticated == true ? http.User.UserIdOrNull() : null;
                return userId is { } id ? Fixed($"u:{id}", o.UserPermitLimit) : Fixed($"ip:{ClientIp(http)}", o.AnonymousPermitLimit);
            });
            options.AddPolicy(AuthPolicy, http => o.Enabled
                ? Fixed($"auth:{ClientIp(http)}", o.AuthPermitLimit)
                : RateLimitPartition.GetNoLimiter("off"));
            options.OnRejected = async (context, ct) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : o.Window;
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await ProblemHandling.WriteAsync(context.HttpContext, 429, "rate_limited", "Too many requests",
                    "Rate limit exceeded; retry after the number of seconds in Retry-After.");
            };
        });
        return services;
    }

    private static FixedWindowRateLimiterOptions Window(int permits, TimeSpan window) => new()
    {
        PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true,
    };

    /// <summary>The client's address; IPv6 clients get a /64 each (one subscriber usually holds a whole /64).</summary>
    public static string ClientIp(HttpContext http)
    {
        var ip = http.Connection.RemoteIpAddress;
        if (ip is null) return "unknown";
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !System.Net.IPAddress.IsLoopback(ip))
        {
            var bytes = ip.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new System.Net.IPAddress(bytes) + "/64";
        }
        return ip.ToString();
    }
}

/// <summary>The Redis connection of the shared limits (Cache:Redis), or null when none is configured.</summary>
public sealed class RateLimitRedis(Microsoft.Extensions.Options.IOptions<CacheOptions> cache) : IDisposable
{
    private readonly Lazy<StackExchange.Redis.IConnectionMultiplexer?> _multiplexer = new(() =>
    {
        if (string.IsNullOrWhiteSpace(cache.Value.Redis)) return null;
        var config = StackExchange.Redis.ConfigurationOptions.Parse(cache.Value.Redis);
        config.AbortOnConnectFail = false;
        config.ConnectTimeout = Math.Min(config.ConnectTimeout, 2000);
        config.SyncTimeout = Math.Min(config.SyncTimeout, 1000);
        config.AsyncTimeout = Math.Min(config.AsyncTimeout, 1000);
        return StackExchange.Redis.ConnectionMultiplexer.Connect(config);
    });

    public StackExchange.Redis.IConnectionMultiplexer? Multiplexer => _multiplexer.Value;
    public string Prefix => cache.Value.InstanceName;

    public void Dispose()
    {
        if (_multiplexer.IsValueCreated) _multiplexer.Value?.Dispose();
    }
}

/// <summary>Uses the shared (Redis) limiter; when Redis cannot answer, the local window limits this instance alone.</summary>
internal sealed class FallbackRateLimiter(RateLimiter primary, RateLimiter fallback) : RateLimiter
{
    public override TimeSpan? IdleDuration => primary.IdleDuration is { } a && fallback.IdleDuration is { } b ? (a < b ? a : b) : null;

    public override RateLimiterStatistics? GetStatistics() => primary.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        try { return primary.AttemptAcquire(permitCount); }
        catch (Exception ex) when (IsRedisFailure(ex)) { return fallback.AttemptAcquire(permitCount); }
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        try { return await primary.AcquireAsync(permitCount, cancellationToken); }
        catch (Exception ex) when (IsRedisFailure(ex)) { return await fallback.AcquireAsync(permitCount, cancellationToken); }
    }

    private static bool IsRedisFailure(Exception ex) => ex is StackExchange.Redis.RedisException or TimeoutException or ObjectDisposedException;

    protected override void Dispose(bool disposing)
    {
        if (disposing) { primary.Dispose(); fallback.Dispose(); }
        base.Dispose(disposing);
    }
}
