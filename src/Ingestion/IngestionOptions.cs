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
    public int ChunkMaxTokens { get; set; } = 512;
    public int ChunkOverlapTokens { get; set; } = 128;
    public int EmbeddingBatchSize { get; set; } = 32;
    public long MaxFileBytes { get; set; } = 50L * 1024 * 1024;
    /// <summary>Allow web sources on private/loopback networks (never in production).</summary>
    public bool AllowPrivateNetworks { get; set; }
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(15);
    public long MaxFetchBytes { get; set; } = 10L * 1024 * 1024;
}
