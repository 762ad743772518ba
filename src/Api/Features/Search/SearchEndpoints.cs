using Microsoft.Extensions.Options;
using TeacherPlatform.Ai.Retrieval;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Errors;

namespace TeacherPlatform.Api.Features.Search;

public sealed record SearchRequest(string? Query, int? TopK, string? Mode, Guid[]? DocumentIds);

public sealed record SearchResultItem(
    Guid ChunkId, Guid DocumentId, string Title, string SourceType, int PageNumber, int PageEnd, double? StartSeconds,
    string Snippet, double Score, int? VectorRank, int? KeywordRank, double? VectorScore, double? KeywordScore);

public sealed record SearchResponse(IReadOnlyList<SearchResultItem> Results, string Mode);

public static class SearchEndpoints
{
    public const int MaxQueryLength = 2000;

    public static IEndpointRouteBuilder MapSearchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/search", async (SearchRequest request, HttpContext http, SearchCache search, IOptions<SearchOptions> options, CancellationToken ct) =>
        {
            var o = options.Value;
            var v = new Validator();
            v.Required("query", request.Query, MaxQueryLength);
            v.Range("top_k", request.TopK, 1, o.MaxTopK);
            var mode = request.Mode ?? "hybrid";
            v.OneOf("mode", mode, "hybrid", "vector", "keyword");
            if (request.DocumentIds is { Length: > 100 }) v.Add("document_ids", "At most 100 document ids.");
            v.ThrowIfInvalid();

            var parsed = Enum.Parse<SearchMode>(mode, ignoreCase: true);
            var scope = new SearchScope(Caller.From(http.User).Id, request.DocumentIds is { Length: > 0 } ids ? ids.ToHashSet() : null);
            var scopeVersion = await search.ScopeVersionAsync(scope.ViewerId, ct);
            var result = await search.SearchAsync(request.Query!, request.TopK ?? o.DefaultTopK, parsed, scope, scopeVersion, ct);
            var items = result.Hits.Select(h => new SearchResultItem(
                h.Chunk.ChunkId, h.Chunk.DocumentId, h.Chunk.Title, h.Chunk.SourceType, h.Chunk.PageNumber, h.Chunk.PageEnd, h.Chunk.StartSeconds,
                h.Snippet, h.Score,
                parsed == SearchMode.Hybrid ? h.VectorRank : null, parsed == SearchMode.Hybrid ? h.KeywordRank : null,
                h.VectorScore, h.KeywordScore)).ToList();
            return TypedResults.Ok(new SearchResponse(items, mode));
        }).RequireAuthorization().WithTags("Search").WithSummary("Hybrid (vector + keyword, RRF), vector-only or keyword-only search over visible documents");
        return app;
    }
}
