namespace TeacherPlatform.Ai.Embeddings;

/// <summary>
/// An embedding model as the rest of the system sees it: queries and passages are embedded differently
/// (asymmetric models such as arctic-embed need a query prefix), and the partitioner counts tokens with the
/// model's own tokenizer so that no chunk is silently truncated.
/// An <see cref="Microsoft.Extensions.AI.IEmbeddingGenerator{TInput,TEmbedding}"/> adapter wraps every implementation.
/// </summary>
public interface IEmbeddingModel
{
    /// <summary>Stable id recorded with the index, e.g. "snowflake-arctic-embed-xs".</summary>
    string ModelId { get; }
    /// <summary>Id of the weights that embed queries: <see cref="ModelId"/> unless queries run on another copy of the model
    /// (the local encoder's asymmetric mode, fp32 passages and int8 queries). Caches of query vectors and search results key on it.</summary>
    string QueryModelId => ModelId;
    int Dimensions { get; }
    /// <summary>Maximum tokens per input including special tokens.</summary>
    int MaxTokens { get; }
    /// <summary>Number of tokens the model sees for this passage, without special tokens.</summary>
    int CountTokens(string text);
    ValueTask<float[]> EmbedQueryAsync(string query, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<float[]>> EmbedPassagesAsync(IReadOnlyList<string> passages, CancellationToken cancellationToken = default);
}
