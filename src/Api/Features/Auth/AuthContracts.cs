using TeacherPlatform.Core.Identity;

namespace TeacherPlatform.Api.Features.Auth;

public sealed record RegisterRequest(string? Email, string? Password, string? DisplayName, string? Role);
public sealed record LoginRequest(string? Email, string? Password);
public sealed record RefreshRequest(string? RefreshToken);

public sealed record UserResponse(Guid Id, string Email, string DisplayName, string Role, DateTimeOffset CreatedAt)
{
    public static UserResponse From(User u) => new(u.Id, u.Email, u.DisplayName, u.Role, u.CreatedAt);
}

public sealed record TokenResponse(
    string AccessToken, string TokenType, int ExpiresIn, DateTimeOffset ExpiresAt,
    string RefreshToken, DateTimeOffset RefreshExpiresAt, UserResponse User);

/// <summary>The JSON Web Key Set that verifies access tokens (RFC 7517).</summary>
public sealed record JwksResponse(IReadOnlyList<TeacherPlatform.Api.Auth.PublicJwk> Keys);
