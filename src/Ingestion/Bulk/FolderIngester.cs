using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TeacherPlatform.Core.Knowledge;
using TeacherPlatform.Core.Storage;
using TeacherPlatform.Ingestion.Extraction;
using TeacherPlatform.Ingestion.Pipeline;

namespace TeacherPlatform.Ingestion.Bulk;

public sealed record FileOutcome(string File, Guid? DocumentId, bool Succeeded, int Chunks, string? Error);

public sealed record FolderIngestSummary(IReadOnlyList<FileOutcome> Files, TimeSpan Elapsed)
{
    public int Succeeded => Files.Count(f => f.Succeeded);
    public int Failed => Files.Count(f => !f.Succeeded);
    public int Chunks => Files.Sum(f => f.Chunks);
    public double ChunksPerSecond => Elapsed.TotalSeconds > 0 ? Chunks / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Loads a folder of PDFs, HTML pages, transcripts and text files into the knowledge base in one step: each file is
/// stored, then run through the same pipeline the workers use (synchronously, so the operator sees progress).
/// </summary>
public sealed class FolderIngester(KnowledgeDocumentStore documents, IObjectStorage storage, IngestionPipeline pipeline, ILogger<FolderIngester> logger)
{
    public static IReadOnlyList<string> FindFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => KnowledgeFiles.SourceTypeFor(f) is not null)
            .OrderBy(f => f, StringComparer.Ordinal).ToList();

    public async Task<FolderIngestSummary> IngestAsync(string folder, Guid ownerId, bool isPublic, Action<int, int, FileOutcome>? onFile, CancellationToken ct)
    {
        var files = FindFiles(folder);
        var outcomes = new List<FileOutcome>();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < files.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var outcome = await IngestFileAsync(files[i], ownerId, isPublic, ct);
            outcomes.Add(outcome);
            onFile?.Invoke(i + 1, files.Count, outcome);
        }
        return new FolderIngestSummary(outcomes, sw.Elapsed);
    }

    private async Task<FileOutcome> IngestFileAsync(string path, Guid ownerId, bool isPublic, CancellationToken ct)
    {
        var name = Path.GetFileName(path);
        var type = KnowledgeFiles.SourceTypeFor(name)!;
        var title = TitleFrom(name);
        KnowledgeDocument? doc = null;
        try
        {
            doc = await documents.CreateAsync(ownerId, title, type, isPublic, null, name, id => KnowledgeFiles.StorageKey(id, name), ct);
            await using (var file = File.OpenRead(path))
                await storage.PutAsync(doc.StorageKey!, file, KnowledgeFiles.ContentTypeFor(name), ct);
            var result = await pipeline.RunAsync(doc, checkpoint: null, ct);
            return new FileOutcome(name, doc.Id, true, result.Chunks.Count, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var (code, message) = ex is ExtractionException e ? (e.Code, e.Message) : ("ingestion_failed", Jobs.IngestionWorker.UnexpectedFailureMessage);
            logger.LogWarning(ex is ExtractionException ? null : ex, "Could not ingest {File}: {Code} {Message}", name, code, message);
            if (doc is not null) await documents.MarkFailedAsync(doc.Id, code, message, CancellationToken.None);
            return new FileOutcome(name, doc?.Id, false, 0, $"{code}: {message}");
        }
    }

    private static string TitleFrom(string fileName)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName).Replace('_', ' ').Replace('-', ' ').Trim();
        return stem.Length == 0 ? fileName : char.ToUpperInvariant(stem[0]) + stem[1..];
    }
}
