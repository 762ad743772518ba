namespace TeacherPlatform.Ai.Embeddings;

/// <summary>Options for <see cref="LocalArcticEmbeddingModel"/>.</summary>
/// <param name="IntraOpThreads">ONNX Runtime intra-op threads; 0 means <see cref="Environment.ProcessorCount"/>.</param>
/// <param name="BatchSize">Passages per inference call; a batch is padded to its longest member.</param>
/// <param name="Precision">fp32 runs the packaged model as is; int8 runs a dynamically quantised copy made at start-up.</param>
public sealed record LocalEmbeddingOptions(int IntraOpThreads = 0, int BatchSize = 32, EmbeddingPrecision Precision = EmbeddingPrecision.Fp32)
{
    public LocalEmbeddingOptions() : this(0, 32) { }
}

/// <summary>Weights of the local encoder. The vectors differ, so each precision records its own model id with the index.</summary>
public enum EmbeddingPrecision
{
    Fp32,
    Int8,
}
