namespace TeacherPlatform.Core.Projects;

public static class ProjectStatus
{
    public const string Pending = "pending", Ready = "ready";
}

/// <summary>Permissions a project can be shared with, weakest first.</summary>
public static class ProjectPermissions
{
    public const string View = "view", Edit = "edit", Admin = "admin";
    public static readonly string[] All = [View, Edit, Admin];

    public static ProjectAccessLevel ToLevel(string? permission) => permission switch
    {
        View => ProjectAccessLevel.View,
        Edit => ProjectAccessLevel.Edit,
        Admin => ProjectAccessLevel.Admin,
        _ => ProjectAccessLevel.None,
    };
}

/// <summary>What a caller may do with one project; ordered, so checks are comparisons.</summary>
public enum ProjectAccessLevel
{
    /// <summary>May not know the project exists: every answer about it is 404.</summary>
    None = 0,
    /// <summary>Reads the project, its file and its annotations.</summary>
    View = 1,
    /// <summary>Also creates annotations and changes/deletes their own.</summary>
    Edit = 2,
    /// <summary>Also changes the project, grants/revokes access and changes/deletes any annotation.</summary>
    Admin = 3,
    /// <summary>The owner or a platform administrator: everything, including confirm and delete.</summary>
    Owner = 4,
}

/// <summary>A row of projects (with the owner's display name).</summary>
public sealed class Project
{
    public Guid Id { get; init; }
    public Guid OwnerId { get; init; }
    public string OwnerDisplayName { get; init; } = "";
    public string Title { get; init; } = "";
    public string? Description { get; init; }
    public string Filename { get; init; } = "";
    public string StorageKey { get; init; } = "";
    public string Status { get; init; } = ProjectStatus.Pending;
    public long? FileSizeBytes { get; init; }
    public int? PageCount { get; init; }
    public DateTimeOffset UploadExpiresAt { get; init; }
    public DateTimeOffset? ConfirmedAt { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public bool IsReady => Status == ProjectStatus.Ready;

    /// <summary>Storage keys are <c>projects/{id}/source.pdf</c>; the access policy reads the id back.</summary>
    public static string StorageKeyFor(Guid id) => $"projects/{id:D}/source.pdf";

    public static Guid? IdFromStorageKey(string key)
    {
        var parts = key.Split('/');
        return parts.Length == 3 && parts[0] == "projects" && parts[2] == "source.pdf" && Guid.TryParseExact(parts[1], "D", out var id) ? id : null;
    }
}

/// <summary>A project together with what the caller may do with it.</summary>
public sealed record ProjectWithAccess(Project Project, ProjectAccessLevel Level);

public sealed record ProjectFilter(string? Query, Guid? OwnerId);
