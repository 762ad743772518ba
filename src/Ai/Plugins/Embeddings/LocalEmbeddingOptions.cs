namespace TeacherPlatform.Ai.Embeddings;

/// <summary>Options for <see cref="LocalArcticEmbeddingModel"/>.</summary>
/// <param name="IntraOpThreads">ONNX Runtime intra-op threads; 0 means <see cref="Environment.ProcessorCount"/>.</param>
/// <param name="BatchSize">Passages per inference call; a batch is padded to its longest member.</param>
public sealed record LocalEmbeddingOptions(int IntraOpThreads = 0, int BatchSize = 32)
{
    public LocalEmbeddingOptions() : this(0, 32) { }
}
