using Microsoft.Extensions.Options;
using TeacherPlatform.Edge.Infrastructure;
using TeacherPlatform.Edge.Proxy;
using TeacherPlatform.Edge.Streaming;
using TeacherPlatform.Http;

namespace TeacherPlatform.Edge;

/// <summary>The edge's composition root; tests build it with their own settings and services (e.g. a FakeTimeProvider).</summary>
public static class EdgeApp
{
    public static WebApplication Build(string[] args, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        if (builder.Configuration["Logging:LogLevel:Default"] is null)
            builder.Logging.SetMinimumLevel(LogLevel.Information).AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
                .AddFilter("Yarp", LogLevel.Warning);

        var o = builder.Configuration.GetSection(EdgeOptions.Section).Get<EdgeOptions>() ?? new EdgeOptions();
        builder.Services.AddOptions<EdgeOptions>().Bind(builder.Configuration.GetSection(EdgeOptions.Section));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddCodedProblemDetails();
        builder.AddEdgeTelemetry();
        builder.AddEdgeProtection(o);
        builder.Services.AddEdgeProxy(o);

        builder.Services.AddSingleton<EdgeMetrics>();
        builder.Services.AddSingleton<EdgeTokenValidator>();
        builder.Services.AddSingleton<AccessChecker>();
        builder.Services.AddSingleton<EdgeCache>();
        builder.Services.AddSingleton<PassThrough>();
        if (o.Storage.Provider == EdgeStorageProvider.S3) builder.Services.AddSingleton<IProjectOrigin, S3Origin>();
        else builder.Services.AddSingleton<IProjectOrigin, ApiOrigin>();
        services?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages(); // bodiless 4xx/5xx (Kestrel limits, YARP errors, unknown paths) become problem+json
        app.UseEdgeHeaders();
        app.UseRateLimiter();

        app.MapEdgeHealth();
        app.MapPrometheusScrapingEndpoint("/edge/metrics");
        app.MapEdgeProjectStream();
        app.MapEdgeProxy();
        app.Services.GetRequiredService<ILogger<EdgeCache>>().LogInformation("Edge in front of {Upstreams}; cache {Directory} ({MaxBytes} bytes)",
            string.Join(", ", o.EffectiveUpstreams), app.Services.GetRequiredService<EdgeCache>().Directory, app.Services.GetRequiredService<IOptions<EdgeOptions>>().Value.Cache.MaxBytes);
        return app;
    }
}
