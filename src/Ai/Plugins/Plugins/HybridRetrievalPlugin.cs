using System.ComponentModel;
using Microsoft.SemanticKernel;
using TeacherPlatform.Ai.Rag;
using TeacherPlatform.Ai.Retrieval;

namespace TeacherPlatform.Ai.Plugins;

/// <summary>Who a kernel searches for: the viewer's scope and the version of what that viewer can see (a cache key part).</summary>
public sealed record RetrievalScope(SearchScope Scope, string ScopeVersion);

/// <summary>
/// Retrieves knowledge-base chunks for a question through the hybrid search (vector + keyword, visibility filter
/// inside both), for the scope bound to the kernel (kernel.Data["rag.scope"]), so an agent calling this function can
/// only ever see that user's documents.
/// </summary>
public sealed class HybridRetrievalPlugin(SearchCache search)
{
    public const string ScopeKey = "rag.scope";

    [KernelFunction("search_knowledge_base")]
    [Description("Searches the piano-pedagogy knowledge base (hybrid vector + keyword search) and returns the most relevant passages with their document, title and page.")]
    public async Task<IReadOnlyList<RetrievedChunk>> SearchAsync(
        Kernel kernel,
        [Description("The standalone search query")] string query,
        [Description("How many passages to return (1-12)")] int top_k = 6,
        CancellationToken cancellationToken = default)
    {
        var bound = kernel.Data.TryGetValue(ScopeKey, out var s) && s is RetrievalScope scope
            ? scope
            : throw new InvalidOperationException($"No retrieval scope is bound to this kernel (kernel.Data[\"{ScopeKey}\"]).");
        var result = await search.SearchAsync(query, Math.Clamp(top_k, 1, 50), SearchMode.Hybrid, bound.Scope, bound.ScopeVersion, cancellationToken);
        return result.Hits.Select(h => new RetrievedChunk(h.Chunk.ChunkId, h.Chunk.DocumentId, h.Chunk.Title, h.Chunk.SourceType,
            h.Chunk.PageNumber, h.Chunk.PageEnd, h.Chunk.StartSeconds, h.Chunk.Text, h.Snippet, h.Score,
            h.VectorRank, h.KeywordRank, h.VectorScore, h.KeywordScore)).ToList();
    }
}
