using System.Globalization;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using TeacherPlatform.Ai.Embeddings;
using TeacherPlatform.Core.Knowledge;
using TeacherPlatform.Core.Telemetry;

namespace TeacherPlatform.Ai.Retrieval;

/// <summary>
/// Second cache layer: search results per (normalised query, mode, k, document filter, passage and query embedding weights, search
/// settings, the viewer's scope version). The scope version changes whenever a document the viewer can see changes,
/// so stale results are never served; they simply stop being asked for and expire.
/// </summary>
public sealed class SearchCache(HybridSearchService search, KnowledgeDocumentStore documents, HybridCache cache, IEmbeddingModel model,
    IOptions<SearchOptions> options, AppTelemetry telemetry)
{
    private static readonly KeyValuePair<string, object?> Layer = new("layer", "search");

    public Task<string> ScopeVersionAsync(Guid viewer, CancellationToken ct) => documents.ScopeVersionAsync(viewer, ct);

    public async Task<SearchResultSet> SearchAsync(string query, int topK, SearchMode mode, SearchScope scope, string scopeVersion, CancellationToken ct)
    {
        var o = options.Value;
        var docs = scope.DocumentIds is { Count: > 0 } ids ? string.Join(',', ids.Order()) : "*";
        var key = "search:" + CacheKeys.Hash(CacheKeys.NormalizeQuery(query), mode.ToString(), topK.ToString(CultureInfo.InvariantCulture), docs,
            scope.ViewerId.ToString(), scopeVersion, model.ModelId, model.QueryModelId,
            string.Create(CultureInfo.InvariantCulture, $"{o.CandidatesPerList}/{o.Fusion}/{o.RelativeScoreKeywordWeight}/{o.RrfK}/{o.VectorWeight}/{o.KeywordWeight}/{o.EfSearch}"));
        var missed = false;
        var result = await cache.GetOrCreateAsync(key, (search, query, topK, mode, scope), async (s, token) =>
        {
            missed = true;
            return await s.search.SearchAsync(s.query, s.topK, s.mode, s.scope, token);
        }, new HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(10), LocalCacheExpiration = TimeSpan.FromMinutes(10) }, cancellationToken: ct);
        (missed ? telemetry.CacheMisses : telemetry.CacheHits).Add(1, Layer);
        return result;
    }
}
