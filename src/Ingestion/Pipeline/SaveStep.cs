using TeacherPlatform.Ai.Embeddings;
using TeacherPlatform.Ai.Retrieval;
using TeacherPlatform.Ingestion.Extraction;
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
            c.StartSeconds, model.CountTokens(c.Text), context.Embeddings[i], SourceOf(context.Extracted, c.Heading))).ToList();
        context.Saved = await index.ReplaceDocumentChunksAsync(doc.Id, records, context.PageCount, ct);
    }

    /// <summary>
    /// The chunk's source field: the author the file declares and the heading of the chunk's section. Students name an
    /// author or a chapter ("what does Tapper say about practice?", "in the interview with Paderewski…"), and neither is
    /// in the text of a page inside the chapter. Document titles are left out: a topical title ("A First Piano Lesson")
    /// matched every chunk of its document and pushed the page that answers out of the top 5 (issue 10, Q5).
    /// </summary>
    private static string SourceOf(ExtractedDocument? extracted, string? heading) =>
        string.Join("\n", new[] { extracted?.Author, heading }.Where(p => !string.IsNullOrWhiteSpace(p)));
}
