namespace TeacherPlatform.Core.Knowledge;

public static class SourceTypes
{
    public const string Pdf = "pdf", Web = "web", Video = "video", Text = "text";
    public static readonly string[] All = [Pdf, Web, Video, Text];
}

public static class DocumentStatus
{
    public const string Pending = "pending", Processing = "processing", Completed = "completed", Failed = "failed";
    public static readonly string[] All = [Pending, Processing, Completed, Failed];
}

/// <summary>A row of knowledge_documents.</summary>
public sealed class KnowledgeDocument
{
    public Guid Id { get; init; }
    public Guid OwnerId { get; init; }
    public string Title { get; init; } = "";
    public string SourceType { get; init; } = SourceTypes.Pdf;
    public bool IsPublic { get; init; }
    public string? SourceUrl { get; init; }
    public string? Filename { get; init; }
    public string? StorageKey { get; init; }
    public string Status { get; init; } = DocumentStatus.Pending;
    public string? Stage { get; init; }
    public int ProgressDone { get; init; }
    public int ProgressTotal { get; init; }
    public int ChunkCount { get; init; }
    public int? PageCount { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public int Version { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? ProcessedAt { get; init; }
}
