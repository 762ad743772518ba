using System.Runtime.InteropServices;
using System.Text.Json;
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

    /// <summary>What the steps have produced so far, as JSON: stored with the job after each step so a retry resumes there.</summary>
    public string SaveState() => JsonSerializer.Serialize(new State(Extracted, [.. Chunks], PageCount,
        Embeddings.Count == 0 ? null : Embeddings.Select(e => MemoryMarshal.AsBytes(e.AsSpan()).ToArray()).ToList()), StateJson.Options);

    public void RestoreState(string json)
    {
        var state = JsonSerializer.Deserialize<State>(json, StateJson.Options) ?? throw new InvalidDataException("Empty ingestion state.");
        Extracted = state.Extracted;
        Chunks = state.Chunks;
        PageCount = state.PageCount;
        Embeddings = state.Embeddings?.Select(b => MemoryMarshal.Cast<byte, float>(b).ToArray()).ToList() ?? [];
    }

    /// <summary>Vectors as raw little-endian float bytes (base64 in JSON): a third of their decimal size.</summary>
    private sealed record State(ExtractedDocument? Extracted, List<TextChunk> Chunks, int? PageCount, List<byte[]>? Embeddings);

    private static class StateJson
    {
        public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
    }
}

/// <summary>Where steps report stage and progress (the status endpoint reads it back).</summary>
public interface IProgressSink
{
    Task ReportAsync(string stage, int done, int total, CancellationToken ct);
}

/// <summary>
/// One named step of the ingestion pipeline (Kernel Memory's pipeline handler). Steps are registered in DI and run in
/// the order <see cref="IngestionOptions.Steps"/> names them; each reads and writes the <see cref="IngestionContext"/>.
/// </summary>
public interface IPipelineStep
{
    /// <summary>The step's name in <see cref="IngestionOptions.Steps"/>, in the job's completed steps and as the document's stage.</summary>
    string Name { get; }
    Task ExecuteAsync(IngestionContext context, CancellationToken ct);
}

/// <summary>The name a step is registered under (<c>AddPipelineStep</c>); read by the start-up check of <see cref="IngestionOptions.Steps"/>.</summary>
public sealed record PipelineStepName(string Name);

/// <summary>
/// Where the pipeline records each completed step and the state after it, so a retry or a lease taken over after a
/// crash continues after the last completed step (the ingestion job's row).
/// </summary>
public interface IPipelineCheckpoint
{
    IReadOnlyList<string> CompletedSteps { get; }
    string? State { get; }
    Task SaveAsync(IReadOnlyList<string> completedSteps, string? state, CancellationToken ct);
}
