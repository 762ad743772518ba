using TeacherPlatform.Core.Identity;
using TeacherPlatform.Core.Projects;
using TeacherPlatform.Core.Storage;

namespace TeacherPlatform.Core.Authorization;

/// <summary>
/// Re-checks project access on every use of a local signed URL for a project file, so that a revoked grant (or an ended
/// relationship, or a deleted project) stops unexpired download URLs at once. Uploads are accepted only from the owner
/// (the only one the projects service gives an upload URL) and only while the project is pending: a confirmed file cannot
/// be swapped under its recorded size and page count. Keys that are not project files are left to the other policies.
/// </summary>
public sealed class ProjectObjectAccessPolicy(ProjectStore projects, UserStore users) : IObjectAccessPolicy
{
    public async Task<bool> CanReadAsync(string key, Guid userId, CancellationToken cancellationToken)
    {
        if (Project.IdFromStorageKey(key) is not { } id) return !key.StartsWith("projects/", StringComparison.Ordinal);
        var access = await ResolveAsync(id, userId, cancellationToken);
        return access is not null && access.Level >= ProjectAccessLevel.View;
    }

    public async Task<bool> CanWriteAsync(string key, Guid userId, CancellationToken cancellationToken)
    {
        if (Project.IdFromStorageKey(key) is not { } id) return !key.StartsWith("projects/", StringComparison.Ordinal);
        var access = await ResolveAsync(id, userId, cancellationToken);
        return access is { Level: ProjectAccessLevel.Owner, Project.IsReady: false } && access.Project.OwnerId == userId;
    }

    private async Task<ProjectWithAccess?> ResolveAsync(Guid projectId, Guid userId, CancellationToken ct)
    {
        // Never two connections at once per request (small pools): the user first, then the project.
        var user = await users.FindByIdAsync(userId, ct);
        return user is null ? null : await projects.GetForViewerAsync(projectId, userId, RoleRules.IsAdmin(user.Role), ct);
    }
}
