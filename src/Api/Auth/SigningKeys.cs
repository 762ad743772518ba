using System.Security.Cryptography;
using Dapper;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TeacherPlatform.Core.Configuration;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Api.Auth;

/// <summary>
/// The ES256 key set that signs and verifies access tokens, stored in the database so that every API instance
/// shares it. The newest unretired key signs; keys retired by <see cref="RotateAsync"/> keep verifying and stay
/// published in JWKS until every token they can have signed has expired, so a rotation logs nobody out.
/// Key ids are RFC 7638 JWK thumbprints of the public keys.
/// </summary>
public sealed class SigningKeys(Db db, IOptions<AuthOptions> options, IOptions<DataOptions> data, TimeProvider clock, ILogger<SigningKeys> logger)
{
    /// <summary>Clock skew allowed when validating tokens (kept in one place for the retention maths).</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile KeySet? _set;
    private DateTimeOffset _lastMissRefresh = DateTimeOffset.MinValue;

    private sealed record LoadedKey(string Kid, ECDsaSecurityKey Private, ECDsaSecurityKey Public, PublicJwk Jwk, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt);
    private sealed record KeySet(LoadedKey Current, IReadOnlyList<LoadedKey> Published, DateTimeOffset LoadedAt);

    private JwtOptions Jwt => options.Value.Jwt;

    /// <summary>How long a retired key must stay published: a token it signed may still be alive.</summary>
    public TimeSpan RetiredKeyRetention => Jwt.AccessTokenLifetime + Jwt.KeyRefreshInterval + ClockSkew;

    // Normally loaded by StartupTasks; the synchronous fallback covers hosts that skipped it (e.g. a CLI path).
    private KeySet Set => _set ?? LoadAsync(CancellationToken.None).GetAwaiter().GetResult();

    public string KeyId => Set.Current.Kid;
    public SigningCredentials Credentials => new(Set.Current.Private, SecurityAlgorithms.EcdsaSha256);
    public IReadOnlyList<PublicJwk> PublishedJwks => Set.Published.Select(k => k.Jwk).ToList();
    public DateTimeOffset LoadedAt => Set.LoadedAt;

    /// <summary>Verification keys for a token's kid (all published keys when the token names none).</summary>
    public IEnumerable<SecurityKey> ValidationKeys(string? kid)
    {
        var set = Set;
        return string.IsNullOrEmpty(kid) ? set.Published.Select(k => k.Public) : set.Published.Where(k => k.Kid == kid).Select(k => k.Public);
    }

    public bool Knows(string kid) => Set.Published.Any(k => k.Kid == kid);

    /// <summary>Makes sure the set exists (importing a configured or legacy key file) and loads it.</summary>
    public async Task InitializeAsync(CancellationToken ct)
    {
        await using (var c = await db.OpenAsync(ct))
        {
            var configured = ConfiguredKeyPem(out var explicitlyConfigured);
            if (configured is not null)
            {
                var kid = KeyIdOf(configured);
                var exists = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM signing_keys WHERE kid = @kid", new { kid }, cancellationToken: ct)) > 0;
                var empty = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM signing_keys", cancellationToken: ct)) == 0;
                // A key set by configuration that the set does not know yet becomes the current key (rotation by
                // configuration); the legacy generated file only seeds an empty set, so its tokens keep working.
                if (!exists && (empty || explicitlyConfigured))
                {
                    await InsertCurrentAsync(c, kid, configured, ct);
                    logger.LogInformation("Imported the configured signing key {Kid} into the key set", kid);
                }
            }
            else if (await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM signing_keys", cancellationToken: ct)) == 0)
            {
                var pem = NewKeyPem();
                await InsertCurrentAsync(c, KeyIdOf(pem), pem, ct);
                logger.LogInformation("Generated the first ES256 signing key {Kid}", KeyIdOf(pem));
            }
        }
        await LoadAsync(ct);
    }

    /// <summary>Creates a new current key; the previous ones keep verifying until their tokens have expired.</summary>
    public async Task<(string NewKid, IReadOnlyList<string> Retired, int Pruned)> RotateAsync(CancellationToken ct)
    {
        await InitializeAsync(ct);
        var pem = NewKeyPem();
        var kid = KeyIdOf(pem);
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var retired = (await c.QueryAsync<string>(new CommandDefinition("SELECT kid FROM signing_keys WHERE retired_at IS NULL", transaction: tx, cancellationToken: ct))).ToList();
        await c.ExecuteAsync(new CommandDefinition("UPDATE signing_keys SET retired_at = @now WHERE retired_at IS NULL",
            new { now = now.ToUnixTimeSeconds() }, tx, cancellationToken: ct));
        // Expired keys lose their private part but keep their row (a tombstone), so that a key still named by
        // configuration is never imported again as current.
        var pruned = await c.ExecuteAsync(new CommandDefinition("UPDATE signing_keys SET private_key_pem = '' WHERE retired_at IS NOT NULL AND retired_at < @cutoff AND private_key_pem <> ''",
            new { cutoff = (now - RetiredKeyRetention).ToUnixTimeSeconds() }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition("INSERT INTO signing_keys (kid, private_key_pem, created_at, retired_at) VALUES (@kid, @pem, @now, NULL)",
            new { kid, pem, now = now.ToUnixTimeSeconds() }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        await LoadAsync(ct);
        logger.LogInformation("Rotated the signing key: {Kid} signs now; {Retired} retired; {Pruned} expired keys removed", kid, string.Join(",", retired), pruned);
        return (kid, retired, pruned);
    }

    /// <summary>Reloads the set (other instances may have rotated). Returns true when the published keys changed.</summary>
    public async Task<bool> RefreshAsync(CancellationToken ct)
    {
        var before = _set;
        var after = await LoadAsync(ct);
        return before is null || !before.Published.Select(k => k.Kid).SequenceEqual(after.Published.Select(k => k.Kid)) || before.Current.Kid != after.Current.Kid;
    }

    /// <summary>
    /// A token names a kid this instance has not loaded: another instance may have rotated, so reload at once
    /// (at most once per second, so that made-up kids cannot turn every request into a database read).
    /// </summary>
    public async Task EnsureKnownAsync(string kid, CancellationToken ct)
    {
        if (Knows(kid)) return;
        var now = clock.GetUtcNow();
        if (now - _lastMissRefresh < TimeSpan.FromSeconds(1)) return;
        _lastMissRefresh = now;
        await LoadAsync(ct);
    }

    /// <summary>JwtBearer hook: reload the key set before validation when the token's kid is unknown.</summary>
    public static async Task OnMessageReceivedAsync(MessageReceivedContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return;
        var raw = header["Bearer ".Length..].Trim();
        var handler = new JsonWebTokenHandler();
        if (!handler.CanReadToken(raw)) return;
        string? kid;
        try { kid = handler.ReadJsonWebToken(raw).Kid; }
        catch (ArgumentException) { return; }
        if (!string.IsNullOrEmpty(kid))
            await context.HttpContext.RequestServices.GetRequiredService<SigningKeys>().EnsureKnownAsync(kid, context.HttpContext.RequestAborted);
    }

    private async Task<KeySet> LoadAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var now = clock.GetUtcNow();
            var cutoff = (now - RetiredKeyRetention).ToUnixTimeSeconds();
            await using var c = await db.OpenAsync(ct);
            var rows = (await c.QueryAsync<(string Kid, string Pem, long CreatedAt, long? RetiredAt)>(new CommandDefinition(
                "SELECT kid, private_key_pem, created_at, retired_at FROM signing_keys WHERE private_key_pem <> '' AND (retired_at IS NULL OR retired_at >= @cutoff) ORDER BY CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END, created_at DESC, kid",
                new { cutoff }, cancellationToken: ct))).ToList();
            if (rows.Count == 0)
            {
                // Never initialised (a host without StartupTasks) or every key expired: start a fresh set.
                await InitializeUnlockedAsync(ct);
                rows = (await c.QueryAsync<(string Kid, string Pem, long CreatedAt, long? RetiredAt)>(new CommandDefinition(
                    "SELECT kid, private_key_pem, created_at, retired_at FROM signing_keys WHERE private_key_pem <> '' AND (retired_at IS NULL OR retired_at >= @cutoff) ORDER BY CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END, created_at DESC, kid",
                    new { cutoff }, cancellationToken: ct))).ToList();
            }
            var keys = rows.Select(r => Load(r.Pem, DateTimeOffset.FromUnixTimeSeconds(r.CreatedAt), r.RetiredAt is { } x ? DateTimeOffset.FromUnixTimeSeconds(x) : null)).ToList();
            // The newest unretired key signs (two instances seeding an empty set at once may both insert one).
            var current = keys.FirstOrDefault(k => k.RetiredAt is null) ?? keys[0];
            var set = new KeySet(current, keys, now);
            _set = set;
            return set;
        }
        finally { _gate.Release(); }
    }

    private async Task InitializeUnlockedAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var active = await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM signing_keys WHERE retired_at IS NULL", cancellationToken: ct));
        if (active > 0) return;
        var pem = ConfiguredKeyPem(out _) ?? NewKeyPem();
        var kid = KeyIdOf(pem);
        if (await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM signing_keys WHERE kid = @kid", new { kid }, cancellationToken: ct)) > 0)
        {
            pem = NewKeyPem();
            kid = KeyIdOf(pem);
        }
        await InsertCurrentAsync(c, kid, pem, ct);
    }

    private async Task InsertCurrentAsync(System.Data.Common.DbConnection c, string kid, string pem, CancellationToken ct)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        await using var tx = await c.BeginTransactionAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("UPDATE signing_keys SET retired_at = @now WHERE retired_at IS NULL", new { now }, tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition("INSERT INTO signing_keys (kid, private_key_pem, created_at, retired_at) VALUES (@kid, @pem, @now, NULL)",
            new { kid, pem, now }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    /// <summary>The key named by configuration (Auth:Jwt:SigningKey or SigningKeyFile) or the legacy generated file.</summary>
    private string? ConfiguredKeyPem(out bool explicitlyConfigured)
    {
        explicitlyConfigured = true;
        if (!string.IsNullOrWhiteSpace(Jwt.SigningKey)) return Jwt.SigningKey;
        if (!string.IsNullOrWhiteSpace(Jwt.SigningKeyFile) && File.Exists(Jwt.SigningKeyFile)) return File.ReadAllText(Jwt.SigningKeyFile);
        explicitlyConfigured = false;
        var legacy = Path.Combine(data.Value.FullPath, "keys", "jwt-es256.pem");
        return File.Exists(legacy) ? File.ReadAllText(legacy) : null;
    }

    private static string NewKeyPem()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return ecdsa.ExportPkcs8PrivateKeyPem();
    }

    private static string KeyIdOf(string pem) => Load(pem, default, null).Kid;

    private static LoadedKey Load(string pem, DateTimeOffset createdAt, DateTimeOffset? retiredAt)
    {
        var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(pem);
        if (ecdsa.KeySize != 256) throw new InvalidOperationException("Auth:Jwt signing keys must be EC P-256 keys (ES256).");
        var publicJwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(ecdsa.ExportParameters(false))));
        var kid = Base64UrlEncoder.Encode(publicJwk.ComputeJwkThumbprint());
        var jwk = new PublicJwk("EC", publicJwk.Crv, publicJwk.X, publicJwk.Y, kid, "sig", SecurityAlgorithms.EcdsaSha256);
        // Validation key without the private part, with the same kid.
        var validation = new ECDsaSecurityKey(ECDsa.Create(ecdsa.ExportParameters(false))) { KeyId = kid };
        return new LoadedKey(kid, new ECDsaSecurityKey(ecdsa) { KeyId = kid }, validation, jwk, createdAt, retiredAt);
    }
}

/// <summary>Reloads the key set periodically so that a rotation done elsewhere (CLI, another instance) is picked up.</summary>
public sealed class SigningKeyRefresher(SigningKeys keys, IOptions<AuthOptions> options, TimeProvider clock, ILogger<SigningKeyRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Jwt.KeyRefreshInterval;
        if (interval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await keys.RefreshAsync(stoppingToken)) logger.LogInformation("Signing key set changed; {Kid} signs now", keys.KeyId);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Could not reload the signing key set; keeping the loaded one");
            }
        }
    }
}

/// <summary>A public JWK as published at /.well-known/jwks.json (RFC 7517 member names).</summary>
public sealed record PublicJwk(string Kty, string Crv, string X, string Y, string Kid, string Use, string Alg);
