using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.RateLimiting;
using TeacherPlatform.Http;

namespace TeacherPlatform.Edge.Infrastructure;

/// <summary>Protection at the door: Kestrel limits, per-IP rate limiting, security headers and CORS.</summary>
public static class EdgeProtection
{
    public static WebApplicationBuilder AddEdgeProtection(this WebApplicationBuilder builder, EdgeOptions o)
    {
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = o.Limits.MaxRequestBodyBytes;
            k.Limits.MaxRequestHeadersTotalSize = o.Limits.MaxRequestHeadersTotalSize;
            k.Limits.MaxRequestHeaderCount = o.Limits.MaxRequestHeaderCount;
            k.Limits.MaxRequestLineSize = o.Limits.MaxRequestLineSize;
            k.Limits.RequestHeadersTimeout = o.Limits.RequestHeadersTimeout;
            k.Limits.KeepAliveTimeout = o.Limits.KeepAliveTimeout;
            k.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(o.Limits.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(5));
        });

        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                !o.RateLimiting.Enabled || http.Request.Path.StartsWithSegments("/edge")
                    ? RateLimitPartition.GetNoLimiter("off")
                    : RateLimitPartition.GetFixedWindowLimiter($"ip:{http.Connection.RemoteIpAddress}", _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = o.RateLimiting.PermitLimit, Window = o.RateLimiting.Window, QueueLimit = 0, AutoReplenishment = true,
                    }));
            options.OnRejected = async (context, _) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : o.RateLimiting.Window;
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await HttpProblems.WriteAsync(context.HttpContext, 429, "rate_limited", "Too many requests",
                    "Rate limit exceeded at the edge; retry after the number of seconds in Retry-After.");
            };
        });

        if (o.Cors.AllowedOrigins.Length > 0)
        {
            builder.Services.AddCors();
            builder.Services.AddSingleton(new CorsPolicyBuilder().WithOrigins(o.Cors.AllowedOrigins).AllowAnyHeader().AllowAnyMethod()
                .WithExposedHeaders("Retry-After", "ETag", "Content-Range", "Content-Disposition").Build());
        }
        return builder;
    }

    /// <summary>
    /// Security headers on every response (proxied ones too: they are set just before the headers go out, after YARP
    /// copied the API's). With edge CORS configured, the API's own CORS headers are replaced by the edge's decision.
    /// </summary>
    public static IApplicationBuilder UseEdgeHeaders(this WebApplication app)
    {
        var cors = app.Services.GetService<CorsPolicy>();
        var corsService = cors is null ? null : app.Services.GetRequiredService<ICorsService>();
        return app.Use(async (http, next) =>
        {
            CorsResult? corsResult = null;
            if (cors is not null && http.Request.Headers.ContainsKey("Origin"))
            {
                corsResult = corsService!.EvaluatePolicy(http, cors);
                if (corsResult.IsPreflightRequest)
                {
                    corsService.ApplyResult(corsResult, http.Response);
                    ApplySecurityHeaders(http.Response);
                    http.Response.StatusCode = StatusCodes.Status204NoContent;
                    return;
                }
            }
            http.Response.OnStarting(() =>
            {
                var response = http.Response;
                ApplySecurityHeaders(response);
                if (cors is not null)
                {
                    foreach (var name in response.Headers.Keys.Where(k => k.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase)).ToList())
                        response.Headers.Remove(name);
                    if (corsResult is not null) corsService!.ApplyResult(corsResult, response);
                }
                return Task.CompletedTask;
            });
            await next(http);
        });
    }

    private static void ApplySecurityHeaders(HttpResponse response)
    {
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.Remove("Server");
    }
}
