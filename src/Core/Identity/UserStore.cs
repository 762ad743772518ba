using Dapper;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Core.Identity;

public sealed class UserStore(Db db, TimeProvider clock)
{
    private const string Columns = "id, email, email_normalized, password_hash, display_name, role, external_issuer, external_subject, failed_logins, locked_until, created_at, updated_at";

    public async Task<User?> FindByIdAsync(Guid id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<User>(new CommandDefinition($"SELECT {Columns} FROM users WHERE id = @id", new { id }, cancellationToken: ct));
    }

    public async Task<User?> FindByEmailAsync(string email, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<User>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE email_normalized = @e", new { e = User.Normalize(email) }, cancellationToken: ct));
    }

    public async Task<User?> FindByExternalAsync(string issuer, string subject, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<User>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE external_issuer = @issuer AND external_subject = @subject", new { issuer, subject }, cancellationToken: ct));
    }

    /// <returns>The new user, or null when the email is already taken.</returns>
    public async Task<User?> CreateAsync(string email, string? passwordHash, string displayName, string role,
        string? externalIssuer = null, string? externalSubject = null, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var user = new User
        {
            Id = Guid.CreateVersion7(now), Email = email.Trim(), EmailNormalized = User.Normalize(email), PasswordHash = passwordHash,
            DisplayName = displayName.Trim(), Role = role, ExternalIssuer = externalIssuer, ExternalSubject = externalSubject,
            CreatedAt = now, UpdatedAt = now,
        };
        await using var c = await db.OpenAsync(ct);
        // ON CONFLICT DO NOTHING makes the duplicate check race-free on both providers.
        var rows = await c.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO users ({Columns}) VALUES (@Id, @Email, @EmailNormalized, @PasswordHash, @DisplayName, @Role,
                @ExternalIssuer, @ExternalSubject, 0, NULL, @CreatedAt, @UpdatedAt)
            ON CONFLICT DO NOTHING
            """, user, cancellationToken: ct));
        return rows == 1 ? user : null;
    }

    public async Task RecordLoginFailureAsync(Guid id, int lockAfter, TimeSpan lockFor, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            UPDATE users SET failed_logins = failed_logins + 1,
                locked_until = CASE WHEN failed_logins + 1 >= @lockAfter THEN @until ELSE locked_until END,
                updated_at = @now
            WHERE id = @id
            """, new { id, lockAfter, until = now + lockFor, now }, cancellationToken: ct));
    }

    public async Task ResetLoginFailuresAsync(Guid id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = @id AND (failed_logins <> 0 OR locked_until IS NOT NULL)",
            new { id }, cancellationToken: ct));
    }

    public async Task SetRoleAndPasswordAsync(Guid id, string role, string passwordHash, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("UPDATE users SET role = @role, password_hash = @passwordHash, updated_at = @now WHERE id = @id",
            new { id, role, passwordHash, now = clock.GetUtcNow() }, cancellationToken: ct));
    }
}
