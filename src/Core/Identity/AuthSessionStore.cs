using System.Security.Cryptography;
using System.Text;
using Dapper;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Core.Identity;

public enum RefreshOutcome { Rotated, Invalid, Expired, Reused }

public sealed record RefreshResult(RefreshOutcome Outcome, Guid UserId = default, Guid SessionId = default, string? NewToken = null, DateTimeOffset ExpiresAt = default);

/// <summary>
/// Login sessions and their opaque refresh tokens. Only SHA-256 hashes are stored. Every refresh rotates the
/// token; presenting a token that was already rotated means it leaked (or a client raced), so the whole session
/// is revoked and every token of it, including the newest, stops working.
/// </summary>
public sealed class AuthSessionStore(Db db, TimeProvider clock)
{
    private sealed class TokenRow
    {
        public Guid Id { get; init; }
        public Guid SessionId { get; init; }
        public Guid UserId { get; init; }
        public DateTimeOffset ExpiresAt { get; init; }
        public DateTimeOffset? RotatedAt { get; init; }
        public DateTimeOffset? RevokedAt { get; init; }
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string NewToken() => Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async Task<(Guid SessionId, string Token, DateTimeOffset ExpiresAt)> StartSessionAsync(Guid userId, TimeSpan lifetime, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var sessionId = Guid.CreateVersion7(now);
        var token = NewToken();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("INSERT INTO auth_sessions (id, user_id, created_at) VALUES (@sessionId, @userId, @now)",
            new { sessionId, userId, now }, tx, cancellationToken: ct));
        await InsertTokenAsync(c, tx, sessionId, token, now, now + lifetime, ct);
        await tx.CommitAsync(ct);
        return (sessionId, token, now + lifetime);
    }

    public async Task<RefreshResult> RotateAsync(string presented, TimeSpan lifetime, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<TokenRow>(new CommandDefinition("""
            SELECT t.id, t.session_id, s.user_id, t.expires_at, t.rotated_at, s.revoked_at
            FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id
            WHERE t.token_hash = @hash
            """, new { hash = Hash(presented) }, tx, cancellationToken: ct));
        if (row is null || row.RevokedAt is not null) return new(RefreshOutcome.Invalid);
        if (row.RotatedAt is not null)
        {
            await RevokeAsync(c, tx, row.SessionId, "refresh_token_reuse", now, ct);
            await tx.CommitAsync(ct);
            return new(RefreshOutcome.Reused, row.UserId, row.SessionId);
        }
        if (row.ExpiresAt <= now) return new(RefreshOutcome.Expired);

        // Conditional update: of two concurrent refreshes with the same token only one wins; the other is a reuse.
        var claimed = await c.ExecuteAsync(new CommandDefinition(
            "UPDATE refresh_tokens SET rotated_at = @now WHERE id = @id AND rotated_at IS NULL", new { now, id = row.Id }, tx, cancellationToken: ct));
        if (claimed == 0)
        {
            await RevokeAsync(c, tx, row.SessionId, "refresh_token_reuse", now, ct);
            await tx.CommitAsync(ct);
            return new(RefreshOutcome.Reused, row.UserId, row.SessionId);
        }
        var token = NewToken();
        await InsertTokenAsync(c, tx, row.SessionId, token, now, now + lifetime, ct);
        await tx.CommitAsync(ct);
        return new(RefreshOutcome.Rotated, row.UserId, row.SessionId, token, now + lifetime);
    }

    public async Task RevokeSessionAsync(Guid sessionId, Guid userId, string reason, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE auth_sessions SET revoked_at = @now, revoked_reason = @reason WHERE id = @sessionId AND user_id = @userId AND revoked_at IS NULL",
            new { now = clock.GetUtcNow(), reason, sessionId, userId }, cancellationToken: ct));
    }

    private static Task RevokeAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, Guid sessionId, string reason, DateTimeOffset now, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "UPDATE auth_sessions SET revoked_at = @now, revoked_reason = @reason WHERE id = @sessionId AND revoked_at IS NULL",
            new { now, reason, sessionId }, tx, cancellationToken: ct));

    private static Task InsertTokenAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, Guid sessionId, string token,
        DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO refresh_tokens (id, session_id, token_hash, created_at, expires_at) VALUES (@id, @sessionId, @hash, @now, @expiresAt)",
            new { id = Guid.CreateVersion7(now), sessionId, hash = Hash(token), now, expiresAt }, tx, cancellationToken: ct));
}
