using TeacherPlatform.Core.Identity;

namespace TeacherPlatform.Core.Authorization;

/// <summary>
/// What each platform role may do, written once. The API's named policies (<c>Api/Auth/AuthorizationPolicies</c>),
/// the services and the CLI all ask these methods rather than comparing role strings themselves.
/// </summary>
public static class RoleRules
{
    public static bool IsAdmin(string role) => role == Roles.Admin;

    /// <summary>Teachers create projects; administrators may too (they can do anything a project owner can).</summary>
    public static bool MayCreateProjects(string role) => role is Roles.Teacher or Roles.Admin;

    /// <summary>Only teachers invite students (an administrator has no students of their own).</summary>
    public static bool MayInviteStudents(string role) => role == Roles.Teacher;

    /// <summary>Only students accept invitations.</summary>
    public static bool MayAcceptInvitations(string role) => role == Roles.Student;

    /// <summary>Public knowledge documents are published by teachers and administrators; students cannot publish.</summary>
    public static bool MayPublish(string role) => role is Roles.Teacher or Roles.Admin;
}
