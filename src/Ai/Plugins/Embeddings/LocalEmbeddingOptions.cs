namespace TeacherPlatform.Ai.Embeddings;

/// <summary>Options for <see cref="LocalArcticEmbeddingModel"/>.</summary>
/// <param name="IntraOpThreads">ONNX Runtime intra-op threads; 0 means <see cref="Environment.ProcessorCount"/>.</param>
/// <param name="BatchSize">Passages per inference call; a batch is padded to its longest member.</param>
/// <param name="MaxBatchTokens">Cap on a batch's padded tokens (passages × longest): attention memory grows with
/// batch × length², and ONNX Runtime keeps its peak, so 32 full 512-token chunks held about 1.3 GB after one large
/// upload. Short passages still go 32 at a time.</param>
/// <param name="Precision">Weights that embed passages (ingestion, reindex), and so the vectors the index stores and the
/// model id it records: fp32 runs the packaged model as is; int8 runs a dynamically quantised copy made at start-up.</param>
/// <param name="QueryPrecision">Weights that embed search queries. The default, int8 with fp32 passages, is the asymmetric
/// mode: the index stays fp32's, only the query vectors (cosine ≥ 0.998 to fp32's) come from the cheaper copy; retrieval
/// and confidence figures within 0.01 of fp32 on both eval sets (evals/results/PERFORMANCE.md, "Query-side int8").</param>
public sealed record LocalEmbeddingOptions(int IntraOpThreads = 0, int BatchSize = 32, EmbeddingPrecision Precision = EmbeddingPrecision.Fp32,
    EmbeddingPrecision QueryPrecision = EmbeddingPrecision.Int8, int MaxBatchTokens = LocalEmbeddingOptions.DefaultMaxBatchTokens)
{
    public const int DefaultMaxBatchTokens = 4096;

    public LocalEmbeddingOptions() : this(0, 32) { }
}

/// <summary>Weights of the local encoder. The vectors differ, so each precision records its own model id with the index.</summary>
public enum EmbeddingPrecision
{
    Fp32,
    Int8,
}
