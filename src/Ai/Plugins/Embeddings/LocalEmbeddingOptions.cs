namespace TeacherPlatform.Ai.Embeddings;

/// <summary>Options for <see cref="LocalArcticEmbeddingModel"/>.</summary>
/// <param name="IntraOpThreads">ONNX Runtime intra-op threads; 0 means <see cref="Environment.ProcessorCount"/>.</param>
/// <param name="BatchSize">Passages per inference call; a batch is padded to its longest member.</param>
/// <param name="Precision">Weights that embed passages (ingestion, reindex) and so the vectors the index stores and the
/// model id it records: fp32 runs the packaged model as is; int8 runs a dynamically quantised copy made at start-up.</param>
/// <param name="QueryPrecision">Weights that embed search queries; null means the same as <paramref name="Precision"/>.
/// fp32 passages with int8 queries is the asymmetric mode: the index stays fp32's, only the query vectors (cosine ≥ 0.998
/// to fp32's) come from the cheaper copy.</param>
public sealed record LocalEmbeddingOptions(int IntraOpThreads = 0, int BatchSize = 32, EmbeddingPrecision Precision = EmbeddingPrecision.Fp32,
    EmbeddingPrecision? QueryPrecision = null)
{
    public LocalEmbeddingOptions() : this(0, 32) { }

    /// <summary>The precision queries actually run on.</summary>
    public EmbeddingPrecision EffectiveQueryPrecision => QueryPrecision ?? Precision;
}

/// <summary>Weights of the local encoder. The vectors differ, so each precision records its own model id with the index.</summary>
public enum EmbeddingPrecision
{
    Fp32,
    Int8,
}
