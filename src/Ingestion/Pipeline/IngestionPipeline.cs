using System.Diagnostics;
using TeacherPlatform.Core.Knowledge;
using TeacherPlatform.Core.Telemetry;
using TeacherPlatform.Ingestion.Extraction;

namespace TeacherPlatform.Ingestion.Pipeline;

/// <summary>extract → partition → embed → save, each a small step; stage and progress go to the document row.</summary>
public sealed class IngestionPipeline(ExtractStep extract, PartitionStep partition, EmbedStep embed, SaveStep save, KnowledgeDocumentStore documents)
{
    public async Task<IngestionContext> RunAsync(KnowledgeDocument document, CancellationToken ct)
    {
        using var activity = AppTelemetry.Source.StartActivity("ingest");
        activity?.SetTag("document.id", document.Id);
        var context = new IngestionContext(document, new DocumentProgress(documents, document.Id));
        foreach (var step in new IIngestionStep[] { extract, partition, embed, save })
        {
            var sw = Stopwatch.StartNew();
            await step.ExecuteAsync(context, ct);
            activity?.AddEvent(new ActivityEvent($"{step.Stage} done", tags: new ActivityTagsCollection { ["ms"] = sw.ElapsedMilliseconds }));
            if (step == partition && context.Chunks.Count == 0)
                throw new ExtractionException(ExtractionErrorCodes.NoExtractableText, "The document contains no text that could be indexed.");
        }
        return context;
    }

    private sealed class DocumentProgress(KnowledgeDocumentStore documents, Guid id) : IProgressSink
    {
        public Task ReportAsync(string stage, int done, int total, CancellationToken ct) =>
            documents.UpdateProgressAsync(id, DocumentStatus.Processing, stage, done, total, ct);
    }
}
