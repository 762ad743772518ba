using TeacherPlatform.Core.Projects;

namespace TeacherPlatform.Core.Authorization;

/// <summary>A viewer's level on a project: the store computes it with these, the service and the signed-URL policy act on it.</summary>
public static class ProjectAccess
{
    /// <summary>
    /// SQL predicate over grant alias <c>a</c> and project alias <c>p</c>: a grant to a student counts only while the student
    /// is linked to the owner, so ending the relationship ends the access; grants to teachers and admins always count.
    /// </summary>
    public const string EffectiveGrant = """
        (EXISTS (SELECT 1 FROM users gu WHERE gu.id = a.user_id AND gu.role <> 'student')
         OR EXISTS (SELECT 1 FROM relationships r WHERE r.teacher_id = p.owner_id AND r.student_id = a.user_id))
        """;

    /// <summary>Platform administrators and the owner have every right; grantees only once the upload is confirmed.</summary>
    public static ProjectAccessLevel LevelOf(Project project, Guid viewer, bool viewerIsAdmin, string? granted)
    {
        if (viewerIsAdmin || project.OwnerId == viewer) return ProjectAccessLevel.Owner;
        return project.IsReady ? ProjectPermissions.ToLevel(granted) : ProjectAccessLevel.None;
    }
}
