using Microsoft.Extensions.Options;
using TeacherPlatform.Ai.Retrieval;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Errors;

namespace TeacherPlatform.Api.Features.Search;

/// <summary>Validates a search and runs it (through the cache) over the documents the caller may see.</summary>
public sealed class SearchService(SearchCache search, IOptions<SearchOptions> options)
{
    public async Task<SearchResponse> SearchAsync(SearchRequest request, Caller caller, CancellationToken ct)
    {
        var o = options.Value;
        var mode = request.Mode ?? "hybrid";
        new Validator().QueryAndTopK(request.Query, request.TopK, o.MaxTopK)
            .OneOf("mode", mode, "hybrid", "vector", "keyword")
            .DocumentIds(request.DocumentIds)
            .ThrowIfInvalid();

        var parsed = Enum.Parse<SearchMode>(mode, ignoreCase: true);
        var scope = new SearchScope(caller.Id, SearchQuery.Scope(request.DocumentIds));
        var scopeVersion = await search.ScopeVersionAsync(scope.ViewerId, ct);
        var result = await search.SearchAsync(request.Query!, request.TopK ?? o.DefaultTopK, parsed, scope, scopeVersion, ct);
        var items = result.Hits.Select(h => new SearchResultItem(
            h.Chunk.ChunkId, h.Chunk.DocumentId, h.Chunk.Title, h.Chunk.SourceType, h.Chunk.PageNumber, h.Chunk.PageEnd, h.Chunk.StartSeconds,
            h.Snippet, h.Score,
            parsed == SearchMode.Hybrid ? h.VectorRank : null, parsed == SearchMode.Hybrid ? h.KeywordRank : null,
            h.VectorScore, h.KeywordScore)).ToList();
        return new SearchResponse(items, mode);
    }
}
