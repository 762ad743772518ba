namespace TeacherPlatform.Api.Features.Projects;

/// <summary>Bound from the <c>Projects</c> configuration section.</summary>
public sealed class ProjectOptions
{
    public const string Section = "Projects";

    /// <summary>Lifetime of <c>upload_url</c>.</summary>
    public TimeSpan UploadUrlLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Lifetime of <c>download_url</c>.</summary>
    public TimeSpan DownloadUrlLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the cleanup job runs (expired unconfirmed projects, failed storage deletions).</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>An unconfirmed project is removed this long after its upload URL expired.</summary>
    public TimeSpan PendingGracePeriod { get; set; } = TimeSpan.FromHours(1);
}
