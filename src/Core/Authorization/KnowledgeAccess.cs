using TeacherPlatform.Core.Knowledge;

namespace TeacherPlatform.Core.Authorization;

/// <summary>Who may see and who may change a knowledge document; the service and the signed-URL policy both use these.</summary>
public static class KnowledgeAccess
{
    /// <summary>
    /// SQL predicate over alias <c>d</c> with parameter <c>@viewer</c>: public documents for everyone, private ones for the
    /// owner and the owner's students, nobody else.
    /// </summary>
    public const string VisibleTo =
        "(d.is_public = TRUE OR d.owner_id = @viewer OR d.owner_id IN (SELECT r.teacher_id FROM relationships r WHERE r.student_id = @viewer))";

    /// <summary>The owner changes a document (its file included); an administrator may change any.</summary>
    public static bool MayManage(KnowledgeDocument document, Guid userId, string role) =>
        document.OwnerId == userId || RoleRules.IsAdmin(role);
}
