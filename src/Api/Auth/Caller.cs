using System.Security.Claims;
using TeacherPlatform.Core.Authorization;
using TeacherPlatform.Core.Identity;

namespace TeacherPlatform.Api.Auth;

/// <summary>
/// The authenticated user as endpoints see it: id, role and session from the validated token (whose role the
/// authentication handler has already replaced with the user's current one). Handlers take it as a parameter;
/// <see cref="BindAsync"/> reads it from the request.
/// </summary>
public sealed record Caller(Guid Id, string Role, Guid? SessionId = null)
{
    public bool IsAdmin => RoleRules.IsAdmin(Role);

    /// <summary>
    /// Minimal API parameter binding. Null for an anonymous request, which only reaches a handler that takes a Caller if
    /// the route were anonymous: every such route requires authorisation, so handlers can take a non-null Caller.
    /// </summary>
    public static ValueTask<Caller?> BindAsync(HttpContext http) =>
        ValueTask.FromResult(http.User.Identity?.IsAuthenticated == true && http.User.UserIdOrNull() is { } id
            ? new Caller(id, RoleOf(http.User), http.User.SessionId())
            : null);

    private static string RoleOf(ClaimsPrincipal principal) =>
        principal.FindFirstValue("role") ?? principal.FindFirstValue(ClaimTypes.Role) ?? Roles.Student;
}
