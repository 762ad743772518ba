using Microsoft.Extensions.Options;
using TeacherPlatform.Ai.Embeddings;
using TeacherPlatform.Ingestion.Extraction;
using TeacherPlatform.Ingestion.Partitioning;

namespace TeacherPlatform.Ingestion.Pipeline;

/// <summary>Splits the text into chunks measured with the embedding model's own tokenizer.</summary>
public sealed class PartitionStep(IEmbeddingModel model, IOptions<IngestionOptions> options) : IPipelineStep
{
    public const string StepName = "partition";
    public string Name => StepName;

    public Task ExecuteAsync(IngestionContext context, CancellationToken ct)
    {
        // Sizes were checked against the model at start-up (IngestionOptionsValidator): used as configured.
        var o = options.Value;
        var partitioner = new TextPartitioner(model.CountTokens, new PartitionOptions
        {
            MaxTokens = o.ChunkMaxTokens, OverlapTokens = o.ChunkOverlapTokens,
            UnitTokens = o.ChunkUnitTokens, UnitOverlapTokens = o.ChunkUnitOverlapTokens,
        });
        // The document's title (as the teacher named it) lets running heads that repeat it be told from headings.
        context.Chunks = partitioner.Partition(context.Extracted!, context.Document.Title);
        // The chunks carry the text from here on: dropping the extracted sections keeps the job's recorded state half
        // the size; the declared title and author stay for the chunks' source field (SaveStep).
        context.Extracted = context.Extracted! with { Sections = [] };
        if (context.Chunks.Count == 0)
            throw new ExtractionException(ExtractionErrorCodes.NoExtractableText, "The document contains no text that could be indexed.");
        return context.Progress.ReportAsync(Name, context.Chunks.Count, context.Chunks.Count, ct);
    }
}
