namespace TeacherPlatform.Ingestion.Jobs;

public sealed class IngestionJob
{
    public Guid Id { get; init; }
    public Guid DocumentId { get; init; }
    public string Status { get; init; } = "queued";
    public int Attempts { get; init; }
    public int MaxAttempts { get; init; }
    public string? LeaseOwner { get; init; }
    public DateTimeOffset? LeaseExpiresAt { get; init; }
    public string? LastError { get; init; }
}
