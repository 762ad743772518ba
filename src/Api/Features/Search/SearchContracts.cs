namespace TeacherPlatform.Api.Features.Search;

public sealed record SearchRequest(string? Query, int? TopK, string? Mode, Guid[]? DocumentIds);

public sealed record SearchResultItem(
    Guid ChunkId, Guid DocumentId, string Title, string SourceType, int PageNumber, int PageEnd, double? StartSeconds,
    string Snippet, double Score, int? VectorRank, int? KeywordRank, double? VectorScore, double? KeywordScore);

public sealed record SearchResponse(IReadOnlyList<SearchResultItem> Results, string Mode);
