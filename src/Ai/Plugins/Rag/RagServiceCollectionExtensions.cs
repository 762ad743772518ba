using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using TeacherPlatform.Ai.Connectors;
using TeacherPlatform.Ai.Plugins;

namespace TeacherPlatform.Ai.Rag;

public static class RagServiceCollectionExtensions
{
    public static IServiceCollection AddRag(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RagOptions>().Bind(configuration.GetSection(RagOptions.Section));
        services.AddChatConnectors(configuration);
        services.AddSingleton(_ => new PromptLibrary());
        services.AddSingleton<HybridRetrievalPlugin>();
        services.AddSingleton<CitationBuilderPlugin>();
        services.AddSingleton<ConfidenceScorerPlugin>();
        services.AddSingleton<Kernel>(sp => RagKernel.Create(sp.GetRequiredService<HybridRetrievalPlugin>(),
            sp.GetRequiredService<CitationBuilderPlugin>(), sp.GetRequiredService<ConfidenceScorerPlugin>()));
        services.AddSingleton<QueryRewriter>();
        services.AddSingleton<RagOrchestrator>();
        return services;
    }
}
