using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TeacherPlatform.Core.Knowledge;
using TeacherPlatform.Ingestion.Extraction;
using TeacherPlatform.Ingestion.Jobs;
using TeacherPlatform.Ingestion.Pipeline;

namespace TeacherPlatform.Ingestion;

public static class IngestionServiceCollectionExtensions
{
    public static IServiceCollection AddIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IngestionOptions>().Bind(configuration.GetSection(IngestionOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngestionOptions>, IngestionOptionsValidator>());
        services.AddSingleton<KnowledgeDocumentStore>();
        services.AddOptions<ExtractionLimits>().Bind(configuration.GetSection(ExtractionLimits.Section));
        services.AddSingleton(sp => ExtractorRegistry.CreateDefault(new ExtractionOptions
        {
            MaxBytes = sp.GetRequiredService<IOptions<IngestionOptions>>().Value.MaxFileBytes,
            Limits = sp.GetRequiredService<IOptions<ExtractionLimits>>().Value,
            Clock = sp.GetService<TimeProvider>() ?? TimeProvider.System,
        }));
        // Named steps; Ingestion:Steps says which run and in what order. Add a step by registering another IPipelineStep.
        services.AddPipelineStep<ExtractStep>(ExtractStep.StepName);
        services.AddPipelineStep<PartitionStep>(PartitionStep.StepName);
        services.AddPipelineStep<EmbedStep>(EmbedStep.StepName);
        services.AddPipelineStep<SaveStep>(SaveStep.StepName);
        services.AddHttpClient(Fetching.SafeHttpFetcher.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => Fetching.SafeHttpFetcher.CreateHandler(sp.GetRequiredService<IOptions<IngestionOptions>>().Value.FetchOptions));
        services.AddSingleton<IngestionPipeline>();
        services.AddSingleton<JobSignal>();
        services.AddSingleton<IngestionJobQueue>();
        services.AddSingleton<IngestionWorker>();
        services.AddSingleton<Bulk.FolderIngester>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestionWorker>());
        return services;
    }

    /// <summary>
    /// Registers a pipeline step under its name (a keyed singleton), so <c>Ingestion:Steps</c> can list it. The name is
    /// also recorded on its own, so the start-up check can see every registered name without building any step.
    /// </summary>
    public static IServiceCollection AddPipelineStep<TStep>(this IServiceCollection services, string name) where TStep : class, IPipelineStep
    {
        services.AddKeyedSingleton<IPipelineStep, TStep>(name);
        services.AddSingleton(new PipelineStepName(name));
        return services;
    }
}
