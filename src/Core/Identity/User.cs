namespace TeacherPlatform.Core.Identity;

/// <summary>A row of the users table.</summary>
public sealed class User
{
    public Guid Id { get; init; }
    public string Email { get; init; } = "";
    public string EmailNormalized { get; init; } = "";
    public string? PasswordHash { get; init; }
    public string DisplayName { get; init; } = "";
    public string Role { get; init; } = Roles.Student;
    public string? ExternalIssuer { get; init; }
    public string? ExternalSubject { get; init; }
    public int FailedLogins { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public bool IsAdmin => Role == Roles.Admin;
    public bool IsTeacher => Role == Roles.Teacher;

    public static string Normalize(string email) => email.Trim().ToLowerInvariant();
}
