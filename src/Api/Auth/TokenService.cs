using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TeacherPlatform.Core.Identity;

namespace TeacherPlatform.Api.Auth;

public sealed record IssuedAccessToken(string Token, DateTimeOffset ExpiresAt, int ExpiresIn);

public sealed class TokenService(SigningKeys keys, IOptions<AuthOptions> options, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public IssuedAccessToken IssueAccessToken(User user, Guid sessionId)
    {
        var jwt = options.Value.Jwt;
        var now = clock.GetUtcNow();
        var expires = now + jwt.AccessTokenLifetime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = jwt.Issuer,
            Audience = jwt.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = keys.Credentials,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = user.Id.ToString(),
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                [JwtRegisteredClaimNames.Email] = user.Email,
                ["role"] = user.Role,
                ["sid"] = sessionId.ToString(),
            },
        });
        return new IssuedAccessToken(token, expires, (int)jwt.AccessTokenLifetime.TotalSeconds);
    }

    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (expires is null) throw new SecurityTokenNoExpirationException("The token has no expiration time.");
        if (notBefore > now + parameters.ClockSkew)
            throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = notBefore.Value };
        if (expires < now - parameters.ClockSkew)
            throw new SecurityTokenExpiredException("The token has expired.") { Expires = expires.Value };
        return true;
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = options.Value.Jwt.Issuer,
        ValidAudience = options.Value.Jwt.Audience,
        // Every published key verifies, so tokens signed before a rotation stay valid until they expire.
        IssuerSigningKeyResolver = (_, _, kid, _) => keys.ValidationKeys(kid),
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        ClockSkew = SigningKeys.ClockSkew,
        // Lifetimes are judged on the injected clock, the one tokens are issued on (and the validated-token cache uses).
        LifetimeValidator = ValidateLifetime,
        NameClaimType = JwtRegisteredClaimNames.Sub,
        RoleClaimType = "role",
    };
}

public static class ClaimsPrincipalExtensions
{
    public static Guid? UserIdOrNull(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(CurrentUserClaims.LocalUserId) ?? principal.FindFirstValue(JwtRegisteredClaimNames.Sub)
            ?? principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static Guid UserId(this ClaimsPrincipal principal) =>
        principal.UserIdOrNull() ?? throw new InvalidOperationException("No authenticated user");

    public static Guid? SessionId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue("sid"), out var id) ? id : null;
}

public static class CurrentUserClaims
{
    /// <summary>Added after validating an external issuer's token: the local user its `sub` maps to.</summary>
    public const string LocalUserId = "tp_uid";
}
