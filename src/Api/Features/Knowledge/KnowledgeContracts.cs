using TeacherPlatform.Core.Knowledge;

namespace TeacherPlatform.Api.Features.Knowledge;

public sealed record CreateKnowledgeRequest(string? Title, string? SourceType, bool? IsPublic, string? SourceUrl, string? Filename);

public sealed record KnowledgeProgress(int Done, int Total);

public sealed record KnowledgeError(string Code, string Message);

public sealed record KnowledgeDocumentResponse(
    Guid Id, Guid OwnerId, string Title, string SourceType, bool IsPublic, string? SourceUrl, string? Filename,
    string Status, string? Stage, KnowledgeProgress Progress, int ChunkCount, int? PageCount, KnowledgeError? Error,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ProcessedAt)
{
    public static KnowledgeDocumentResponse From(KnowledgeDocument d) => new(
        d.Id, d.OwnerId, d.Title, d.SourceType, d.IsPublic, d.SourceUrl, d.Filename, d.Status, d.Stage,
        new KnowledgeProgress(d.ProgressDone, d.ProgressTotal), d.ChunkCount, d.PageCount,
        d.ErrorCode is null ? null : new KnowledgeError(d.ErrorCode, d.ErrorMessage ?? d.ErrorCode), d.CreatedAt, d.UpdatedAt, d.ProcessedAt);
}

public sealed record CreateKnowledgeResponse(KnowledgeDocumentResponse Document, string? UploadUrl, DateTimeOffset? UploadExpiresAt);

public sealed record KnowledgeStatusResponse(Guid Id, string Status, string? Stage, KnowledgeProgress Progress, int ChunkCount, KnowledgeError? Error)
{
    public static KnowledgeStatusResponse From(KnowledgeDocument d) => new(
        d.Id, d.Status, d.Stage, new KnowledgeProgress(d.ProgressDone, d.ProgressTotal), d.ChunkCount,
        d.ErrorCode is null ? null : new KnowledgeError(d.ErrorCode, d.ErrorMessage ?? d.ErrorCode));
}
