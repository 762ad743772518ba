using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace TeacherPlatform.Ai.Embeddings;

public static class EmbeddingServiceCollectionExtensions
{
    public const string SectionName = "Embeddings";

    /// <summary>
    /// Registers the configured <see cref="IEmbeddingModel"/> (singleton) and its
    /// <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/> adapter. <c>Embeddings:Provider</c> is
    /// <c>local</c> (default), <c>workersai</c> or <c>openai</c>.
    /// </summary>
    public static IServiceCollection AddEmbeddings(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        var provider = section["Provider"] is { Length: > 0 } p ? p.Trim().ToLowerInvariant() : "local";
        switch (provider)
        {
            case "local":
                // Read when first resolved, from the host's final configuration (a test host's overrides arrive after registration).
                services.AddSingleton(sp =>
                {
                    var local = (sp.GetService<IConfiguration>() ?? configuration).GetSection(SectionName).GetSection("Local");
                    var options = new LocalEmbeddingOptions(local.GetValue("IntraOpThreads", 0), local.GetValue("BatchSize", 32),
                        MaxBatchTokens: local.GetValue("MaxBatchTokens", LocalEmbeddingOptions.DefaultMaxBatchTokens));
                    if (ParsePrecision(local, "Precision") is { } precision) options = options with { Precision = precision };
                    if (ParsePrecision(local, "QueryPrecision") is { } queryPrecision) options = options with { QueryPrecision = queryPrecision };
                    return options;
                });
                services.AddSingleton<IEmbeddingModel>(sp => new LocalArcticEmbeddingModel(sp.GetRequiredService<LocalEmbeddingOptions>()));
                break;
            case "workersai":
                var wai = section.GetSection("WorkersAi");
                var waiOptions = new WorkersAiEmbeddingOptions
                {
                    AccountId = Required(wai, "AccountId"),
                    ApiToken = Required(wai, "ApiToken"),
                    Model = wai["Model"] is { Length: > 0 } m ? m : WorkersAiEmbeddingOptions.DefaultModel,
                    BaseUrl = wai["BaseUrl"] is { Length: > 0 } u ? u : WorkersAiEmbeddingOptions.DefaultBaseUrl,
                    Dimensions = wai.GetValue("Dimensions", 768),
                };
                services.AddSingleton(waiOptions);
                AddHttpModel<WorkersAiEmbeddingModel>(services);
                break;
            case "openai":
                var oai = section.GetSection("OpenAi");
                var oaiOptions = new OpenAiEmbeddingOptions
                {
                    Endpoint = Required(oai, "Endpoint"),
                    Model = Required(oai, "Model"),
                    Dimensions = oai.GetValue<int?>("Dimensions")
                        ?? throw new InvalidOperationException($"{SectionName}:OpenAi:Dimensions is required."),
                    ApiKey = oai["ApiKey"] is { Length: > 0 } k ? k : null,
                };
                services.AddSingleton(oaiOptions);
                AddHttpModel<OpenAiCompatibleEmbeddingModel>(services);
                break;
            default:
                throw new InvalidOperationException(
                    $"Unknown {SectionName}:Provider '{section["Provider"]}'; expected local, workersai or openai.");
        }

        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(
            sp => new EmbeddingModelGenerator(sp.GetRequiredService<IEmbeddingModel>()));
        return services;
    }

    private static void AddHttpModel<TModel>(IServiceCollection services) where TModel : class, IEmbeddingModel
    {
        // The typed client is captured by a singleton, so the handler must never be recycled by the factory;
        // PooledConnectionLifetime keeps DNS changes visible instead.
        services.AddHttpClient<TModel>()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddStandardResilienceHandler();
        services.AddSingleton<IEmbeddingModel>(sp => sp.GetRequiredService<TModel>());
    }

    private static EmbeddingPrecision? ParsePrecision(IConfigurationSection local, string key) => local[key]?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "fp32" => EmbeddingPrecision.Fp32,
        "int8" => EmbeddingPrecision.Int8,
        _ => throw new InvalidOperationException($"Unknown {SectionName}:Local:{key} '{local[key]}'; expected fp32 or int8."),
    };

    private static string Required(IConfigurationSection section, string key) =>
        section[key] is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{section.Path}:{key} is required.");
}
