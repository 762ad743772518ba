using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using TeacherPlatform.Core.Identity;

namespace TeacherPlatform.Api.Auth;

/// <summary>
/// The local record behind every validated token: identity and role come from the users table, never from the
/// token's own claims, so a demoted user loses the old role within <see cref="AuthOptions.RoleCacheDuration"/> and an
/// external issuer cannot choose a role or a local user. Roles are cached briefly to keep this one cheap lookup.
/// </summary>
public sealed class CallerDirectory(UserStore users, IOptions<AuthOptions> options, TimeProvider clock)
{
    private const int MaxEntries = 100_000;
    private readonly ConcurrentDictionary<Guid, Entry> _roles = new();

    private sealed record Entry(string Role, DateTimeOffset Until);

    /// <returns>The user's current role, or null when the user no longer exists.</returns>
    public async Task<string?> RoleOfAsync(Guid userId, CancellationToken ct)
    {
        var ttl = options.Value.RoleCacheDuration;
        var now = clock.GetUtcNow();
        if (ttl > TimeSpan.Zero && _roles.TryGetValue(userId, out var cached) && cached.Until > now)
        {
            return cached.Role;
        }

        var user = await users.FindByIdAsync(userId, ct);
        if (user is null)
        {
            _roles.TryRemove(userId, out _);
            return null;
        }

        Remember(user, ttl, now);
        return user.Role;
    }

    public void Remember(User user) => Remember(user, options.Value.RoleCacheDuration, clock.GetUtcNow());

    public void Forget(Guid userId) => _roles.TryRemove(userId, out _);

    private void Remember(User user, TimeSpan ttl, DateTimeOffset now)
    {
        if (ttl <= TimeSpan.Zero) return;
        if (_roles.Count >= MaxEntries) _roles.Clear();
        _roles[user.Id] = new Entry(user.Role, now + ttl);
    }

    /// <summary>The principal endpoints see: only the local user id, its local role and the session id.</summary>
    public static ClaimsPrincipal Principal(Guid userId, string role, string? sessionId, string scheme)
    {
        var claims = new List<Claim>
        {
            new(JwtRegisteredClaimNames.Sub, userId.ToString("D")),
            new(CurrentUserClaims.LocalUserId, userId.ToString("D")),
            new("role", role),
        };
        if (Guid.TryParse(sessionId, out var sid)) claims.Add(new Claim("sid", sid.ToString("D")));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, JwtRegisteredClaimNames.Sub, "role"));
    }
}
