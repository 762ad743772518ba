using Microsoft.Extensions.Options;
using TeacherPlatform.Ai.Embeddings;

namespace TeacherPlatform.Ingestion.Pipeline;

/// <summary>Embeds chunks in batches, reporting progress after each batch.</summary>
public sealed class EmbedStep(IEmbeddingModel model, IOptions<IngestionOptions> options) : IPipelineStep
{
    public const string StepName = "embed";
    public string Name => StepName;

    public async Task ExecuteAsync(IngestionContext context, CancellationToken ct)
    {
        var chunks = context.Chunks;
        var vectors = new List<float[]>(chunks.Count);
        var batchSize = Math.Max(1, options.Value.EmbeddingBatchSize);
        await context.Progress.ReportAsync(Name, 0, chunks.Count, ct);
        for (var i = 0; i < chunks.Count; i += batchSize)
        {
            var batch = chunks.Skip(i).Take(batchSize).Select(c => c.Text).ToList();
            vectors.AddRange(await model.EmbedPassagesAsync(batch, ct));
            await context.Progress.ReportAsync(Name, vectors.Count, chunks.Count, ct);
        }
        context.Embeddings = vectors;
    }
}
