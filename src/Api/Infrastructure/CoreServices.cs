using TeacherPlatform.Core.Configuration;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Api.Infrastructure;

public static class CoreServices
{
    public static IServiceCollection AddPersistence(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DataOptions>().Bind(configuration.GetSection(DataOptions.Section));
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section));
        services.AddSingleton<Db>();
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton(TimeProvider.System);
        return services;
    }
}

/// <summary>Runs schema migrations (and bootstrap tasks) before the server accepts requests.</summary>
public sealed class StartupTasks(IServiceProvider services, Microsoft.Extensions.Options.IOptions<DatabaseOptions> db, ILogger<StartupTasks> logger) : IHostedService
{
    // Registered before every other hosted service, so workers start on a migrated schema.
    Task IHostedService.StartAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken);
    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task RunAsync(CancellationToken ct)
    {
        if (db.Value.MigrateOnStartup)
        {
            // The database may still be starting (containers, a single-session test server): retry briefly.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await services.GetRequiredService<MigrationRunner>().MigrateAsync(ct);
                    break;
                }
                catch (System.Data.Common.DbException ex) when (attempt < 6 && !ct.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Database not reachable yet (attempt {Attempt}); retrying", attempt);
                    await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), ct);
                }
            }
        }

        await services.GetRequiredService<Auth.SigningKeys>().InitializeAsync(ct);

        // Refuses to start when the index was built with another embedding model.
        var model = services.GetRequiredService<TeacherPlatform.Ai.Embeddings.IEmbeddingModel>();
        await services.GetRequiredService<TeacherPlatform.Ai.Retrieval.IKnowledgeIndex>().InitializeAsync(model.ModelId, model.Dimensions, ct);

        var admin = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Auth.AuthOptions>>().Value.BootstrapAdmin;
        if (!string.IsNullOrWhiteSpace(admin.Email) && !string.IsNullOrWhiteSpace(admin.Password))
        {
            await using var scope = services.CreateAsyncScope();
            var auth = scope.ServiceProvider.GetRequiredService<Features.Auth.AuthService>();
            var user = await auth.EnsureAdminAsync(admin.Email, admin.Password, admin.DisplayName, ct);
            logger.LogInformation("Bootstrap administrator {Email} ready ({UserId})", user.Email, user.Id);
        }
    }
}
