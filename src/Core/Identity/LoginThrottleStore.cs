using System.Security.Cryptography;
using System.Text;
using Dapper;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Core.Identity;

/// <summary>
/// Failed-login throttling keyed by email, kept for every email asked about (existing or not), so neither the
/// answer nor the lockout tells whether an account exists. Each attempt claims a slot with one atomic upsert
/// before the password is checked, so concurrent guesses can never exceed the limit.
/// </summary>
public sealed class LoginThrottleStore(Db db, TimeProvider clock)
{
    /// <summary>The outcome of claiming an attempt: allowed to check the password, or locked until a time.</summary>
    public readonly record struct Claim(bool Allowed, DateTimeOffset? LockedUntil);

    /// <summary>
    /// Counts this attempt. The count restarts when a lock or an idle period of <paramref name="window"/> has passed;
    /// the attempt that would exceed <paramref name="maxAttempts"/> starts a lock of <paramref name="window"/>.
    /// </summary>
    public async Task<Claim> ClaimAttemptAsync(string email, int maxAttempts, TimeSpan window, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var windowMs = (long)window.TotalMilliseconds;
        await using var c = await db.OpenAsync(ct);
        var lockedUntilMs = await c.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO login_throttle AS t (email_key, failures, locked_until_ms, updated_ms)
            VALUES (@key, 1, CASE WHEN 1 > @max THEN @now + @window ELSE 0 END, @now)
            ON CONFLICT (email_key) DO UPDATE SET
                failures = CASE WHEN (t.locked_until_ms <> 0 AND t.locked_until_ms <= @now)
                                  OR (t.locked_until_ms = 0 AND t.updated_ms <= @now - @window)
                                THEN 1 ELSE t.failures + 1 END,
                locked_until_ms = CASE WHEN (t.locked_until_ms <> 0 AND t.locked_until_ms <= @now)
                                         OR (t.locked_until_ms = 0 AND t.updated_ms <= @now - @window)
                                       THEN (CASE WHEN 1 > @max THEN @now + @window ELSE 0 END)
                                       WHEN t.locked_until_ms = 0 AND t.failures + 1 > @max THEN @now + @window
                                       ELSE t.locked_until_ms END,
                updated_ms = @now
            RETURNING locked_until_ms
            """, new { key = KeyOf(email), max = maxAttempts, now, window = windowMs }, cancellationToken: ct));
        return lockedUntilMs > now
            ? new Claim(false, DateTimeOffset.FromUnixTimeMilliseconds(lockedUntilMs))
            : new Claim(true, null);
    }

    /// <summary>A successful login clears the count.</summary>
    public async Task ResetAsync(string email, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("DELETE FROM login_throttle WHERE email_key = @key", new { key = KeyOf(email) }, cancellationToken: ct));
    }

    /// <summary>Drops rows idle for longer than <paramref name="olderThan"/> (they would restart at 1 anyway).</summary>
    public async Task<int> PruneAsync(TimeSpan olderThan, CancellationToken ct = default)
    {
        var cutoff = (clock.GetUtcNow() - olderThan).ToUnixTimeMilliseconds();
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM login_throttle WHERE updated_ms < @cutoff AND locked_until_ms < @cutoff", new { cutoff }, cancellationToken: ct));
    }

    private static string KeyOf(string email) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(User.Normalize(email))));
}
