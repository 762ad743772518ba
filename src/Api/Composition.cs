using System.Text.Json;
using System.Text.Json.Serialization;
using Scalar.AspNetCore;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Api.Features.Auth;
using TeacherPlatform.Api.Features.Relationships;
using TeacherPlatform.Api.Infrastructure;

namespace TeacherPlatform.Api;

/// <summary>The composition root: every service and every endpoint group is wired here, once.</summary>
public static class Composition
{
    public static WebApplicationBuilder AddTeacherPlatform(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        var api = configuration.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = api.MaxRequestBodyBytes);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = null;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        });
        services.AddApiProblemDetails();
        services.AddOpenApi();
        services.AddOutputCache();
        services.AddHttpContextAccessor();
        builder.AddApiTelemetry();

        services.AddPersistence(configuration);
        services.AddSingleton<StartupTasks>();
        services.AddApiAuth(configuration);
        services.AddApiRateLimiting(configuration);

        var cors = configuration.GetSection(CorsOptions.Section).Get<CorsOptions>() ?? new CorsOptions();
        services.AddCors(o => o.AddDefaultPolicy(p =>
        {
            if (cors.AllowedOrigins.Length > 0)
                p.WithOrigins(cors.AllowedOrigins).AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("Retry-After", "ETag", "Content-Range");
        }));

        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return builder;
    }

    public static WebApplication UseTeacherPlatform(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCors();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseOutputCache();

        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/scalar").AllowAnonymous();
        app.MapGet("/", () => Results.Redirect("/scalar")).ExcludeFromDescription();
        app.MapPrometheusScrapingEndpoint("/metrics").DisableRateLimiting();
        app.MapApiHealth();

        app.MapAuthEndpoints();
        app.MapRelationshipEndpoints();
        return app;
    }
}
