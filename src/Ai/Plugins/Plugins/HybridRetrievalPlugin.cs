using System.ComponentModel;
using Microsoft.Extensions.VectorData;
using Microsoft.SemanticKernel;
using TeacherPlatform.Ai.Rag;
using TeacherPlatform.Ai.Retrieval;

namespace TeacherPlatform.Ai.Plugins;

/// <summary>
/// Retrieves knowledge-base chunks for a question through the VectorData collection bound to the current user
/// (kernel.Data["rag.collection"]), so an agent calling this function can only ever see that user's documents.
/// </summary>
public sealed class HybridRetrievalPlugin
{
    public const string CollectionKey = "rag.collection";

    [KernelFunction("search_knowledge_base")]
    [Description("Searches the piano-pedagogy knowledge base (hybrid vector + keyword search) and returns the most relevant passages with their document, title and page.")]
    public async Task<IReadOnlyList<RetrievedChunk>> SearchAsync(
        Kernel kernel,
        [Description("The standalone search query")] string query,
        [Description("How many passages to return (1-12)")] int top_k = 6,
        CancellationToken cancellationToken = default)
    {
        var collection = kernel.Data.TryGetValue(CollectionKey, out var c) && c is IKeywordHybridSearchable<KnowledgeChunkRecord> hybrid
            ? hybrid
            : throw new InvalidOperationException("No knowledge collection is bound to this kernel (kernel.Data[\"rag.collection\"]).");
        var results = new List<RetrievedChunk>();
        await foreach (var r in collection.HybridSearchAsync(query, [], Math.Clamp(top_k, 1, 50), cancellationToken: cancellationToken))
        {
            var x = r.Record;
            results.Add(new RetrievedChunk(x.ChunkId, x.DocumentId, x.Title, x.SourceType, x.PageNumber, x.PageEnd, x.StartSeconds,
                x.Text, x.Snippet, r.Score ?? 0, x.VectorRank, x.KeywordRank, x.VectorSimilarity, x.KeywordScore));
        }
        return results;
    }
}
