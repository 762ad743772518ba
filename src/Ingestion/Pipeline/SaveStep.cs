using TeacherPlatform.Ai.Embeddings;
using TeacherPlatform.Ai.Retrieval;
using TeacherPlatform.Ingestion.Partitioning;

namespace TeacherPlatform.Ingestion.Pipeline;

/// <summary>Writes chunks, vectors and the keyword index in one transaction, replacing the previous chunks.</summary>
public sealed class SaveStep(IKnowledgeIndex index, IEmbeddingModel model) : IPipelineStep
{
    public const string StepName = "save";
    public string Name => StepName;

    public async Task ExecuteAsync(IngestionContext context, CancellationToken ct)
    {
        var doc = context.Document;
        await context.Progress.ReportAsync(Name, 0, context.Chunks.Count, ct);
        var records = context.Chunks.Select((c, i) => new ChunkRecord(
            ChunkId.For(doc.Id, c.Index, c.Text), doc.Id, c.Index, c.Text, c.PageNumber, c.PageEnd, c.StartChar, c.EndChar,
            c.StartSeconds, model.CountTokens(c.Text), context.Embeddings[i])).ToList();
        context.Saved = await index.ReplaceDocumentChunksAsync(doc.Id, records, context.PageCount, ct);
    }
}
