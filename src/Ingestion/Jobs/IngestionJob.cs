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
    /// <summary>Names of the pipeline steps this job has completed, comma-separated, in order.</summary>
    public string CompletedSteps { get; init; } = "";
    /// <summary>The pipeline's state after the last completed step (JSON), to resume from.</summary>
    public string? StepState { get; init; }

    public IReadOnlyList<string> CompletedStepNames => CompletedSteps.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
