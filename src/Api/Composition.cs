using System.Text.Json;
using System.Text.Json.Serialization;
using Scalar.AspNetCore;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Ai.Embeddings;
using TeacherPlatform.Ai.Retrieval;
using TeacherPlatform.Ai.Rag;
using TeacherPlatform.Api.Features.Annotations;
using TeacherPlatform.Api.Features.Auth;
using TeacherPlatform.Api.Features.Chat;
using TeacherPlatform.Api.Features.Knowledge;
using TeacherPlatform.Api.Features.Projects;
using TeacherPlatform.Api.Features.Search;
using TeacherPlatform.Ingestion;
using TeacherPlatform.Api.Features.Relationships;
using TeacherPlatform.Api.Features.Storage;
using TeacherPlatform.Api.Infrastructure;

namespace TeacherPlatform.Api;

/// <summary>The composition root: every service and every endpoint group is wired here, once.</summary>
public static class Composition
{
    public static WebApplicationBuilder AddTeacherPlatform(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        builder.Configuration.AddSecretFiles(); // before anything reads settings

        builder.WebHost.ConfigureKestrel((context, k) =>
            k.Limits.MaxRequestBodySize = (context.Configuration.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions()).MaxRequestBodyBytes);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.RemoveServerHeader();

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = null;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            // Confidence levels are upper-case in the contract (HIGH|MEDIUM|LOW); other enums are snake_case.
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter<Confidence>());
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
            o.SerializerOptions.Converters.Add(new NoNulStringConverter());
        });
        services.AddApiProblemDetails();
        services.AddOpenApi();
        services.AddOutputCache();
        services.AddHttpContextAccessor();
        builder.AddApiTelemetry();

        services.AddPersistence(configuration);
        services.AddSingleton<StartupTasks>();
        services.AddHostedService(sp => sp.GetRequiredService<StartupTasks>());
        services.AddApiAuth(configuration);
        services.AddAuth();
        services.AddApiRateLimiting(configuration);
        services.AddRelationships(configuration);

        services.AddOptions<CorsOptions>().Bind(configuration.GetSection(CorsOptions.Section));
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<Microsoft.Extensions.Options.IOptions<CorsOptions>>((o, cors) =>
            o.AddDefaultPolicy(p =>
            {
                if (cors.Value.AllowedOrigins.Length > 0)
                    p.WithOrigins(cors.Value.AllowedOrigins).AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("Retry-After", "ETag", "Content-Range");
            }));

        services.AddStorage(configuration);
        services.AddEmbeddings(configuration);
        services.AddRetrieval(configuration);
        services.AddIngestion(configuration);
        services.AddKnowledge();
        services.AddSearch();
        services.AddRag(configuration);
        services.AddChat();
        services.AddApiCache(configuration);

        services.AddProjects(configuration);
        services.AddAnnotations();

        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<StorageHealthCheck>("storage")
            .AddCheck<EmbedderHealthCheck>("embedder", Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded)
            .AddCheck<LlmHealthCheck>("llm", Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded);
        builder.AddOperations();
        return builder;
    }

    public static WebApplication UseTeacherPlatform(this WebApplication app)
    {
        app.UseTrustedForwardedHeaders();
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCors();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseNulQueryStringGuard();
        app.UseJsonCharsetGuard();
        app.UseAuthorization();
        app.UseOutputCache();

        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/scalar").AllowAnonymous();
        app.MapGet("/", () => Results.Redirect("/scalar")).AllowAnonymous().ExcludeFromDescription();
        app.MapMetrics();
        app.MapApiHealth();

        app.MapAuth();
        app.MapRelationships();
        app.MapStorage();
        app.MapKnowledge();
        app.MapSearch();
        app.MapChat();
        app.MapProjects();
        app.MapAnnotations();
        return app;
    }
}
