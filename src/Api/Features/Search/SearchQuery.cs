using TeacherPlatform.Core.Errors;

namespace TeacherPlatform.Api.Features.Search;

/// <summary>The rules of a question over the knowledge base, shared by search and the assistant.</summary>
public static class SearchQuery
{
    public const int MaxQueryLength = 2000;
    public const int MaxDocumentIds = 100;

    /// <summary>Adds the errors of <c>query</c> (required, at most <see cref="MaxQueryLength"/>) and <c>top_k</c> (1…<paramref name="maxTopK"/>).</summary>
    public static Validator QueryAndTopK(this Validator v, string? query, int? topK, int maxTopK) =>
        v.Required("query", query, MaxQueryLength).Range("top_k", topK, 1, maxTopK);

    /// <summary>Adds the error of a <c>document_ids</c> scope longer than <see cref="MaxDocumentIds"/>.</summary>
    public static Validator DocumentIds(this Validator v, Guid[]? documentIds) =>
        documentIds is { Length: > MaxDocumentIds } ? v.Add("document_ids", $"At most {MaxDocumentIds} document ids.") : v;

    /// <summary>The scope a non-empty <c>document_ids</c> restricts to; null means every visible document.</summary>
    public static HashSet<Guid>? Scope(Guid[]? documentIds) => documentIds is { Length: > 0 } ids ? ids.ToHashSet() : null;
}
