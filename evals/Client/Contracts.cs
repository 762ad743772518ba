namespace TeacherPlatform.Evals.Client;

// Wire contracts of SPEC §2 (snake_case through Json.Options). Only the fields the evals use.

public sealed record RegisterRequest(string Email, string Password, string DisplayName, string Role);
public sealed record LoginRequest(string Email, string Password);
public sealed record UserDto(Guid Id, string? Email, string? DisplayName, string? Role);
public sealed record TokenResponse(string AccessToken, string? RefreshToken, UserDto User);

public sealed record CreateKnowledgeRequest(string Title, string SourceType, bool IsPublic, string? SourceUrl, string? Filename);
public sealed record KnowledgeDocumentDto(Guid Id, string? Title, string? SourceType, string? Status);
public sealed record CreateKnowledgeResponse(KnowledgeDocumentDto Document, string? UploadUrl, DateTimeOffset? UploadExpiresAt);
public sealed record ProgressDto(int Done, int Total);
public sealed record StatusError(string? Code, string? Message);
public sealed record KnowledgeStatus(string Status, string? Stage, ProgressDto? Progress, int? ChunkCount, StatusError? Error);

public sealed record SearchRequest(string Query, int TopK, string Mode, IReadOnlyList<Guid>? DocumentIds);
public sealed record SearchResult(Guid ChunkId, Guid DocumentId, string? Title, string? SourceType, int PageNumber, int PageEnd,
    double? StartSeconds, string? Snippet, double Score, int? VectorRank, int? KeywordRank);
public sealed record SearchResponse(IReadOnlyList<SearchResult> Results);

public sealed record ChatRequest(string Query, Guid? SessionId, IReadOnlyList<Guid>? DocumentIds, int? TopK);
public sealed record ChatSource(int Index, Guid DocumentId, string? Title, string? SourceType, int PageNumber, int PageEnd,
    double? StartSeconds, Guid ChunkId, string? Snippet, double Score);
public sealed record ChatResponse(string Content, IReadOnlyList<ChatSource> Sources, string Confidence)
{
    /// <summary>The server's evidence figures (X-Confidence-Evidence header; evals servers set Rag:Confidence:ExposeEvidence).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? Evidence { get; init; }
}

/// <summary>An SSE answer as observed by the client, with its timings (ms from sending the request).</summary>
public sealed record SseAnswer(string Content, IReadOnlyList<ChatSource> Sources, string? Confidence, double? SourcesMs, double? FirstTokenMs,
    double DoneMs, string? ErrorCode);

public sealed class ApiException(int status, string body, string what)
    : Exception($"{what}: HTTP {status}: {(body.Length > 400 ? body[..400] : body)}")
{
    public int Status { get; } = status;
}
