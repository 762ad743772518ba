using System.Security.Claims;
using TeacherPlatform.Core.Identity;

namespace TeacherPlatform.Api.Auth;

/// <summary>The authenticated user as endpoints see it: id and role from the validated token.</summary>
public sealed record Caller(Guid Id, string Role)
{
    public bool IsAdmin => Role == Roles.Admin;
    public bool IsTeacher => Role == Roles.Teacher;
    public bool IsStudent => Role == Roles.Student;

    public static Caller From(ClaimsPrincipal principal) =>
        new(principal.UserId(), principal.FindFirstValue("role") ?? principal.FindFirstValue(ClaimTypes.Role) ?? Roles.Student);
}
