using TeacherPlatform.Ingestion.Fetching;
using TeacherPlatform.Ingestion.Pipeline;

namespace TeacherPlatform.Ingestion;

public sealed class IngestionOptions
{
    public const string Section = "Ingestion";
    /// <summary>Run job workers inside the API process. Set false on API-only instances when separate `worker` processes run.</summary>
    public bool RunWorkers { get; set; } = true;
    /// <summary>Concurrent jobs per process; by default half the cores (at least one), leaving the rest to queries.</summary>
    public int Workers { get; set; } = DefaultWorkers;

    public static int DefaultWorkers => Math.Max(1, Environment.ProcessorCount / 2);
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>A job whose lease is not renewed within this time is considered abandoned and picked up again.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);
    public int MaxAttempts { get; set; } = 3;
    /// <summary>Retry delay = RetryBaseDelay × 2^(attempt-1).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>
    /// Chunk size in the embedding model's tokens; with the [CLS]/[SEP] pair the model adds it must fit the model's
    /// input (510 for the 512-token models). Checked at start-up, never clamped.
    /// </summary>
    public int ChunkMaxTokens { get; set; } = 510;
    /// <summary>Trailing sentences of a chunk repeated at the start of the next; below <see cref="ChunkMaxTokens"/>.</summary>
    public int ChunkOverlapTokens { get; set; } = 128;
    /// <summary>
    /// Retrieval units of a section longer than <see cref="ChunkMaxTokens"/> (a book chapter running over pages): whole
    /// sentences, never across a heading or a page. A heading-delimited section that fits ChunkMaxTokens stays whole.
    /// Set equal to ChunkMaxTokens for the former page-sized chunks. Applies to documents ingested after the change.
    /// </summary>
    public int ChunkUnitTokens { get; set; } = 256;
    /// <summary>Overlap between the units of a long section; below <see cref="ChunkUnitTokens"/>.</summary>
    public int ChunkUnitOverlapTokens { get; set; } = 64;
    public int EmbeddingBatchSize { get; set; } = 32;
    public long MaxFileBytes { get; set; } = 50L * 1024 * 1024;
    /// <summary>Allow web sources on private/loopback networks (never in production).</summary>
    public bool AllowPrivateNetworks { get; set; }
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(15);
    public long MaxFetchBytes { get; set; } = 10L * 1024 * 1024;

    /// <summary>
    /// The pipeline's steps by name, in order (each an <see cref="IPipelineStep"/> registered in DI); unset means
    /// <see cref="DefaultSteps"/>. A job records the steps it completed and a retry continues after the last one.
    /// </summary>
    public string[]? Steps { get; set; }

    public static readonly IReadOnlyList<string> DefaultSteps = [ExtractStep.StepName, PartitionStep.StepName, EmbedStep.StepName, SaveStep.StepName];

    /// <summary>The steps to run (a configured list replaces the default rather than adding to it).</summary>
    public IReadOnlyList<string> PipelineSteps => Steps is { Length: > 0 } steps ? steps : DefaultSteps;

    internal SafeFetchOptions FetchOptions => new() { AllowPrivateNetworks = AllowPrivateNetworks, Timeout = FetchTimeout, MaxResponseBytes = MaxFetchBytes };
}
