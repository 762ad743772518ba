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
}

/// <summary>Built-in ASP.NET Core rate limiting: per user when authenticated, per IP otherwise; 429 + Retry-After.</summary>
public static class RateLimiting
{
    public const string AuthPolicy = "auth";

    public static IServiceCollection AddApiRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.Section));
        services.AddRateLimiter(_ => { });
        // Configured from IOptions so that settings added after registration (tests, env) are honoured.
        services.AddOptions<RateLimiterOptions>().Configure<Microsoft.Extensions.Options.IOptions<RateLimitOptions>>((options, limits) =>
        {
            var o = limits.Value;
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                if (!o.Enabled) return RateLimitPartition.GetNoLimiter("off");
                var userId = http.User.Identity?.IsAuthenticated == true ? http.User.UserIdOrNull() : null;
                return userId is { } id
                    ? RateLimitPartition.GetFixedWindowLimiter($"u:{id}", _ => Window(o.UserPermitLimit, o.Window))
                    : RateLimitPartition.GetFixedWindowLimiter($"ip:{ClientIp(http)}", _ => Window(o.AnonymousPermitLimit, o.Window));
            });
            options.AddPolicy(AuthPolicy, http => o.Enabled
                ? RateLimitPartition.GetFixedWindowLimiter($"auth:{ClientIp(http)}", _ => Window(o.AuthPermitLimit, o.Window))
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

    private static string ClientIp(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
