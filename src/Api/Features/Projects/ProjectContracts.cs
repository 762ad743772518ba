using TeacherPlatform.Core.Identity;
using TeacherPlatform.Core.Projects;

namespace TeacherPlatform.Api.Features.Projects;

public sealed record CreateProjectRequest(string? Title, string? Description, string? Filename);

/// <summary>Client figures are hints only: the server records what it reads from the file.</summary>
public sealed record ConfirmProjectRequest(long? FileSizeBytes, int? PageCount);

/// <summary>Absent fields stay as they are; an empty <c>description</c> clears it.</summary>
public sealed record UpdateProjectRequest(string? Title, string? Description);

public sealed record GrantAccessRequest(Guid? UserId, string? Permission);

/// <param name="Permission">The caller's standing: <c>owner</c>, <c>admin</c> (a grantee with admin, or a platform admin), <c>edit</c> or <c>view</c>.</param>
public sealed record ProjectResponse(
    Guid Id, Guid OwnerId, string OwnerDisplayName, string Title, string? Description, string Filename, string Status,
    long? FileSizeBytes, int? PageCount, string Permission, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ConfirmedAt,
    string? DownloadUrl = null, DateTimeOffset? DownloadExpiresAt = null)
{
    public static ProjectResponse From(ProjectWithAccess access, Guid caller, string? downloadUrl = null, DateTimeOffset? downloadExpiresAt = null)
    {
        var p = access.Project;
        var permission = p.OwnerId == caller ? "owner" : access.Level switch
        {
            ProjectAccessLevel.Owner or ProjectAccessLevel.Admin => ProjectPermissions.Admin,
            ProjectAccessLevel.Edit => ProjectPermissions.Edit,
            _ => ProjectPermissions.View,
        };
        return new(p.Id, p.OwnerId, p.OwnerDisplayName, p.Title, p.Description, p.Filename, p.Status, p.FileSizeBytes, p.PageCount,
            permission, p.CreatedAt, p.UpdatedAt, p.ConfirmedAt, downloadUrl, downloadExpiresAt);
    }
}

/// <param name="UploadHeaders">Headers the PUT must carry (S3 signs the content type into the URL).</param>
public sealed record CreateProjectResponse(ProjectResponse Project, string UploadUrl, DateTimeOffset UploadExpiresAt, string UploadMethod,
    IReadOnlyDictionary<string, string> UploadHeaders);

public sealed record ProjectGrantResponse(Guid ProjectId, UserSummary User, string Permission, Guid? GrantedBy, bool Active,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ProjectGrantResponse From(ProjectGrant g) => new(g.ProjectId, g.User, g.Permission, g.GrantedBy, g.Active, g.CreatedAt, g.UpdatedAt);
}
