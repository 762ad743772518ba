using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Ai.Retrieval;

public static class RetrievalServiceCollectionExtensions
{
    public static IServiceCollection AddRetrieval(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SearchOptions>().Bind(configuration.GetSection(SearchOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SearchOptions>, SearchOptionsValidator>());
        // The provider is known only once configuration is final (tests and env vars add to it late).
        services.AddSingleton<IKnowledgeIndex>(sp => sp.GetRequiredService<Db>().IsPostgres
            ? ActivatorUtilities.CreateInstance<PostgresKnowledgeIndex>(sp)
            : ActivatorUtilities.CreateInstance<SqliteKnowledgeIndex>(sp));
        services.AddHostedService<VectorIndexSnapshotService>();
        services.AddSingleton<QueryEmbeddingCache>();
        services.AddSingleton<HybridSearchService>();
        services.AddSingleton<SearchCache>();
        services.AddSingleton<TeacherPlatform.Core.Knowledge.KnowledgeDocumentStore>();
        return services;
    }
}
