using Microsoft.Extensions.Options;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Errors;
using TeacherPlatform.Core.Identity;

namespace TeacherPlatform.Api.Features.Auth;

/// <summary>Registration, login with lockout, refresh-token rotation and logout.</summary>
public sealed class AuthService(
    UserStore users, AuthSessionStore sessions, PasswordHasher hasher, TokenService tokens, LoginThrottleStore throttle,
    CallerDirectory directory, IOptions<AuthOptions> options, TimeProvider clock, ILogger<AuthService> logger)
{
    private static readonly HashSet<string> CommonPasswords = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "password1", "password123", "12345678", "123456789", "1234567890", "qwertyuiop", "qwerty123",
        "iloveyou", "letmein1", "welcome1", "admin123", "abc12345", "piano123", "11111111", "00000000",
    };

    public async Task<TokenResponse> RegisterAsync(RegisterRequest request, CancellationToken ct)
    {
        var v = new Validator();
        v.Email("email", request.Email);
        v.Name("display_name", request.DisplayName, 100);
        if (request.Role == Roles.Admin) v.Add("role", "Administrators cannot self-register.");
        else v.OneOf("role", request.Role, Roles.SelfRegistrable);
        ValidatePassword(v, request.Password, request.Email);
        v.ThrowIfInvalid();

        var hash = await hasher.HashAsync(request.Password!);
        var user = await users.CreateAsync(request.Email!, hash, request.DisplayName!, request.Role!, ct: ct)
            ?? throw new AppProblem(409, "email_taken", "Conflict", "An account with this email already exists.");
        logger.LogInformation("Registered user {UserId} as {Role}", user.Id, user.Role);
        return await IssueAsync(user, ct);
    }

    public void ValidatePassword(Validator v, string? password, string? email)
    {
        var min = options.Value.Password.MinLength;
        if (string.IsNullOrEmpty(password)) { v.Add("password", "'password' is required."); return; }
        if (password.Length > 128) v.Add("password", "'password' must be at most 128 characters.");
        else if (password.Length < min) v.Add("password", $"'password' must be at least {min} characters.");
        else if (!password.Any(char.IsLetter) || !password.Any(c => !char.IsLetter(c)))
            v.Add("password", "'password' must contain letters and at least one digit or symbol.");
        else if (CommonPasswords.Contains(password) || (email is not null && password.Contains(email.Split('@')[0], StringComparison.OrdinalIgnoreCase) && email.Split('@')[0].Length >= 4))
            v.Add("password", "'password' is too easy to guess.");
    }

    public async Task<TokenResponse> LoginAsync(LoginRequest request, CancellationToken ct)
    {
        var v = new Validator();
        v.Required("email", request.Email, 254).Required("password", request.Password, 128);
        v.ThrowIfInvalid();

        // The attempt is counted (atomically) before the password is checked, and for every email alike: a lock, the
        // answer and the work done never depend on whether the account exists.
        var lockout = options.Value.Lockout;
        var claim = await throttle.ClaimAttemptAsync(request.Email!, lockout.MaxFailedAttempts, lockout.LockoutDuration, ct);
        if (!claim.Allowed)
        {
            throw new AppProblem(429, "account_locked", "Too many failed logins",
                "Sign-in for this email is temporarily locked after repeated failed logins.")
            { RetryAfter = claim.LockedUntil!.Value - clock.GetUtcNow() };
        }

        var user = await users.FindByEmailAsync(request.Email!, ct);
        var ok = await hasher.VerifyAsync(request.Password!, user?.PasswordHash);
        if (!ok || user is null)
        {
            throw AppProblem.Unauthorized("invalid_credentials", "Email or password is incorrect.");
        }
        await throttle.ResetAsync(request.Email!, ct);
        directory.Remember(user);
        return await IssueAsync(user, ct);
    }

    public async Task<TokenResponse> RefreshAsync(RefreshRequest request, CancellationToken ct)
    {
        var v = new Validator();
        v.Required("refresh_token", request.RefreshToken, 512);
        v.ThrowIfInvalid();

        var result = await sessions.RotateAsync(request.RefreshToken!, options.Value.RefreshTokenLifetime, ct);
        switch (result.Outcome)
        {
            case RefreshOutcome.Reused:
                logger.LogWarning("Refresh token reuse detected; revoked session {SessionId} of user {UserId}", result.SessionId, result.UserId);
                throw AppProblem.Unauthorized("refresh_token_reused", "This refresh token was already used; the session has been revoked. Sign in again.");
            case RefreshOutcome.Expired:
                throw AppProblem.Unauthorized("refresh_token_expired", "The refresh token has expired. Sign in again.");
            case RefreshOutcome.Invalid:
                throw AppProblem.Unauthorized("invalid_refresh_token", "The refresh token is not valid.");
        }
        var user = await users.FindByIdAsync(result.UserId, ct) ?? throw AppProblem.Unauthorized("invalid_refresh_token", "The refresh token is not valid.");
        var access = tokens.IssueAccessToken(user, result.SessionId);
        return new TokenResponse(access.Token, "bearer", access.ExpiresIn, access.ExpiresAt, result.NewToken!, result.ExpiresAt, UserResponse.From(user));
    }

    /// <summary>Revokes the refresh tokens of the caller's current session (tokens without a session have nothing to revoke).</summary>
    public Task LogoutAsync(Caller caller, CancellationToken ct) =>
        caller.SessionId is { } sid ? sessions.RevokeSessionAsync(sid, caller.Id, "logout", ct) : Task.CompletedTask;

    public async Task<UserResponse> MeAsync(Caller caller, CancellationToken ct) =>
        UserResponse.From(await users.FindByIdAsync(caller.Id, ct) ?? throw AppProblem.NotFound("User"));

    private async Task<TokenResponse> IssueAsync(User user, CancellationToken ct)
    {
        var (sessionId, refresh, refreshExpires) = await sessions.StartSessionAsync(user.Id, options.Value.RefreshTokenLifetime, ct);
        var access = tokens.IssueAccessToken(user, sessionId);
        return new TokenResponse(access.Token, "bearer", access.ExpiresIn, access.ExpiresAt, refresh, refreshExpires, UserResponse.From(user));
    }

    /// <summary>Creates or promotes the configured administrator (start-up bootstrap and the create-admin command).</summary>
    public async Task<User> EnsureAdminAsync(string email, string password, string displayName, CancellationToken ct)
    {
        var v = new Validator();
        v.Email("email", email);
        ValidatePassword(v, password, email);
        v.ThrowIfInvalid();
        var hash = await hasher.HashAsync(password);
        var existing = await users.FindByEmailAsync(email, ct);
        if (existing is not null)
        {
            await users.SetRoleAndPasswordAsync(existing.Id, Roles.Admin, hash, ct);
            directory.Forget(existing.Id);
            return (await users.FindByIdAsync(existing.Id, ct))!;
        }
        return await users.CreateAsync(email, hash, displayName, Roles.Admin, ct: ct)
            ?? (await users.FindByEmailAsync(email, ct))!;
    }
}
