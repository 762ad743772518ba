using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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
        services.AddOptions<IngestionOptions>().Bind(configuration.GetSection(IngestionOptions.Section));
        services.AddSingleton<KnowledgeDocumentStore>();
        services.AddOptions<ExtractionLimits>().Bind(configuration.GetSection(ExtractionLimits.Section));
        services.AddSingleton(sp => ExtractorRegistry.CreateDefault(new ExtractionOptions
        {
            MaxBytes = sp.GetRequiredService<IOptions<IngestionOptions>>().Value.MaxFileBytes,
            Limits = sp.GetRequiredService<IOptions<ExtractionLimits>>().Value,
            Clock = sp.GetService<TimeProvider>() ?? TimeProvider.System,
        }));
        services.AddSingleton<ExtractStep>();
        services.AddSingleton<PartitionStep>();
        services.AddSingleton<EmbedStep>();
        services.AddSingleton<SaveStep>();
        services.AddSingleton<IngestionPipeline>();
        services.AddSingleton<JobSignal>();
        services.AddSingleton<IngestionJobQueue>();
        services.AddSingleton<IngestionWorker>();
        services.AddSingleton<Bulk.FolderIngester>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestionWorker>());
        return services;
    }
}
