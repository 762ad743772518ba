using Microsoft.Extensions.Options;
using TeacherPlatform.Ai.Embeddings;
using TeacherPlatform.Ingestion.Partitioning;

namespace TeacherPlatform.Ingestion.Pipeline;

/// <summary>Splits the text into chunks measured with the embedding model's own tokenizer.</summary>
public sealed class PartitionStep(IEmbeddingModel model, IOptions<IngestionOptions> options) : IIngestionStep
{
    public string Stage => "partition";

    public Task ExecuteAsync(IngestionContext context, CancellationToken ct)
    {
        var o = options.Value;
        // The model adds [CLS] and [SEP]: the chunk itself must leave room for them or the model truncates it.
        var max = Math.Min(o.ChunkMaxTokens, model.MaxTokens - 2);
        var partitioner = new TextPartitioner(model.CountTokens, new PartitionOptions { MaxTokens = max, OverlapTokens = Math.Min(o.ChunkOverlapTokens, max / 2) });
        context.Chunks = partitioner.Partition(context.Extracted!);
        return context.Progress.ReportAsync(Stage, context.Chunks.Count, context.Chunks.Count, ct);
    }
}
