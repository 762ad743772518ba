using TeacherPlatform.Core.Knowledge;
using TeacherPlatform.Ingestion.Extraction;
using TeacherPlatform.Ingestion.Partitioning;

namespace TeacherPlatform.Ingestion.Pipeline;

/// <summary>State handed from step to step while one document is ingested (Kernel Memory's DataPipeline, in small).</summary>
public sealed class IngestionContext(KnowledgeDocument document, IProgressSink progress)
{
    public KnowledgeDocument Document { get; } = document;
    public IProgressSink Progress { get; } = progress;
    public ExtractedDocument? Extracted { get; set; }
    public IReadOnlyList<TextChunk> Chunks { get; set; } = [];
    public IReadOnlyList<float[]> Embeddings { get; set; } = [];
    public int? PageCount { get; set; }
    /// <summary>False when the document disappeared before the save (deleted while processing).</summary>
    public bool Saved { get; set; }
}

/// <summary>Where steps report stage and progress (the status endpoint reads it back).</summary>
public interface IProgressSink
{
    Task ReportAsync(string stage, int done, int total, CancellationToken ct);
}

public interface IIngestionStep
{
    string Stage { get; }
    Task ExecuteAsync(IngestionContext context, CancellationToken ct);
}
