using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace TeacherPlatform.Ai.Retrieval;

/// <summary>A knowledge chunk as a Microsoft.Extensions.VectorData record, with the evidence of the search that found it.</summary>
public sealed class KnowledgeChunkRecord
{
    [VectorStoreKey] public Guid ChunkId { get; set; }
    [VectorStoreData] public Guid DocumentId { get; set; }
    [VectorStoreData] public string Title { get; set; } = "";
    [VectorStoreData] public string SourceType { get; set; } = "";
    [VectorStoreData] public int PageNumber { get; set; }
    [VectorStoreData] public int PageEnd { get; set; }
    [VectorStoreData] public double? StartSeconds { get; set; }
    [VectorStoreData(IsFullTextIndexed = true)] public string Text { get; set; } = "";
    [VectorStoreData] public string Snippet { get; set; } = "";
    [VectorStoreData] public int? VectorRank { get; set; }
    [VectorStoreData] public int? KeywordRank { get; set; }
    [VectorStoreData] public double? VectorSimilarity { get; set; }
    [VectorStoreData] public double? KeywordScore { get; set; }
    [VectorStoreVector(384, DistanceFunction = DistanceFunction.CosineSimilarity)] public ReadOnlyMemory<float>? Embedding { get; set; }

    internal static KnowledgeChunkRecord From(SearchHit h) => new()
    {
        ChunkId = h.Chunk.ChunkId, DocumentId = h.Chunk.DocumentId, Title = h.Chunk.Title, SourceType = h.Chunk.SourceType,
        PageNumber = h.Chunk.PageNumber, PageEnd = h.Chunk.PageEnd, StartSeconds = h.Chunk.StartSeconds, Text = h.Chunk.Text, Snippet = h.Snippet,
        VectorRank = h.VectorRank, KeywordRank = h.KeywordRank, VectorSimilarity = h.VectorScore, KeywordScore = h.KeywordScore,
    };
}

/// <summary>
/// The knowledge index seen through the VectorData abstraction, bound to one viewer: every search runs with that
/// viewer's visibility filter inside the index (SQLite in-process HNSW + FTS5, or pgvector + tsvector). Vector search
/// and keyword-hybrid search (RRF) are supported; the collection is read-only because chunks are written only by the
/// ingestion pipeline, in one transaction per document.
/// </summary>
public sealed class KnowledgeChunkCollection(SearchCache search, SearchScope scope, string scopeVersion)
    : VectorStoreCollection<Guid, KnowledgeChunkRecord>, IKeywordHybridSearchable<KnowledgeChunkRecord>
{
    public override string Name => "knowledge_chunks";

    public override Task<bool> CollectionExistsAsync(CancellationToken cancellationToken = default) => Task.FromResult(true);
    public override Task EnsureCollectionExistsAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
    public override Task EnsureCollectionDeletedAsync(CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The knowledge collection is managed by the ingestion pipeline.");

    public override Task<KnowledgeChunkRecord?> GetAsync(Guid key, RecordRetrievalOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Look chunks up through search; direct reads would bypass the visibility filter.");

    public override IAsyncEnumerable<KnowledgeChunkRecord> GetAsync(Expression<Func<KnowledgeChunkRecord, bool>> filter, int top,
        FilteredRecordRetrievalOptions<KnowledgeChunkRecord>? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Filtered reads are not supported; use SearchAsync or HybridSearchAsync.");

    public override Task DeleteAsync(Guid key, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Delete the knowledge document instead.");

    public override Task UpsertAsync(KnowledgeChunkRecord record, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Chunks are written by the ingestion pipeline.");

    public override Task UpsertAsync(IEnumerable<KnowledgeChunkRecord> records, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Chunks are written by the ingestion pipeline.");

    /// <summary>Vector search; the input is the query text (embedded with the configured model, cached).</summary>
    public override async IAsyncEnumerable<VectorSearchResult<KnowledgeChunkRecord>> SearchAsync<TInput>(TInput searchValue, int top,
        VectorSearchOptions<KnowledgeChunkRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = searchValue as string ?? throw new NotSupportedException("Search with the query text; the collection embeds it with the index's model.");
        var result = await search.SearchAsync(query, top + (options?.Skip ?? 0), SearchMode.Vector, scope, scopeVersion, cancellationToken);
        foreach (var hit in result.Hits.Skip(options?.Skip ?? 0))
            yield return new VectorSearchResult<KnowledgeChunkRecord>(KnowledgeChunkRecord.From(hit), hit.Score);
    }

    /// <summary>Hybrid search: vector + keyword lists fused with Reciprocal Rank Fusion.</summary>
    public async IAsyncEnumerable<VectorSearchResult<KnowledgeChunkRecord>> HybridSearchAsync<TInput>(TInput searchValue, ICollection<string> keywords, int top,
        HybridSearchOptions<KnowledgeChunkRecord>? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TInput : notnull
    {
        var query = searchValue as string ?? throw new NotSupportedException("Search with the query text.");
        var text = keywords.Count > 0 && !keywords.All(k => query.Contains(k, StringComparison.OrdinalIgnoreCase)) ? $"{query} {string.Join(' ', keywords)}" : query;
        var result = await search.SearchAsync(text, top + (options?.Skip ?? 0), SearchMode.Hybrid, scope, scopeVersion, cancellationToken);
        foreach (var hit in result.Hits.Skip(options?.Skip ?? 0))
            yield return new VectorSearchResult<KnowledgeChunkRecord>(KnowledgeChunkRecord.From(hit), hit.Score);
    }

    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    object? IKeywordHybridSearchable<KnowledgeChunkRecord>.GetService(Type serviceType, object? serviceKey) => GetService(serviceType, serviceKey);
}
