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
public sealed class StartupTasks(IServiceProvider services, Microsoft.Extensions.Options.IOptions<DatabaseOptions> db, TimeProvider clock,
    ILogger<StartupTasks> logger) : IHostedService
{
    // Registered before every other hosted service, so workers start on a migrated schema.
    Task IHostedService.StartAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken);
    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task RunAsync(CancellationToken ct)
    {
        await WaitForDatabaseAsync(ct);
        if (db.Value.MigrateOnStartup)
            await services.GetRequiredService<MigrationRunner>().MigrateAsync(ct);

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

    /// <summary>
    /// A database started beside the service (compose, systemd) may not accept connections yet: wait for it, up to
    /// <see cref="DatabaseOptions.StartupWaitTimeout"/>, then fail start-up with the last error.
    /// </summary>
    private async Task WaitForDatabaseAsync(CancellationToken ct)
    {
        var deadline = clock.GetUtcNow() + db.Value.StartupWaitTimeout;
        var database = services.GetRequiredService<Db>();
        while (true)
        {
            try
            {
                await using var c = await database.OpenAsync(ct);
                return;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or System.Net.Sockets.SocketException or TimeoutException
                                       && clock.GetUtcNow() < deadline && !ct.IsCancellationRequested)
            {
                logger.LogWarning("Database not reachable yet ({Error}); waiting up to {Deadline:O}", ex.Message, deadline);
                await Task.Delay(TimeSpan.FromSeconds(1), clock, ct);
            }
        }
    }
}
