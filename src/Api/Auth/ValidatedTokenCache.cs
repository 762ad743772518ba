using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TeacherPlatform.Api.Auth;

/// <summary>
/// Local access tokens that passed full validation, by SHA-256 of the token text, so a client that sends the same token
/// on every request pays the ES256 signature check (~0.6 ms of CPU) once, not per request. Nothing is weakened: a hit
/// still needs the token's own expiry (plus the validator's clock skew) to lie ahead on the injected clock and its
/// signing key to be still published; any other text (a tampered token) hashes elsewhere and is validated in full.
/// What a token cannot say — whether its user still exists, and the user's current role — is looked up per request
/// after validation (<c>OnTokenValidated</c>), cached or not. Logout revokes refresh tokens only (SPEC): an access token
/// stays valid until it expires either way. Bounded: when full, expired entries are dropped, and if none are, the lot.
/// </summary>
public sealed class ValidatedTokenCache(SigningKeys keys, IOptions<AuthOptions> options, TimeProvider clock)
{
    private sealed record Entry(TokenValidationResult Result, DateTimeOffset ExpiresAt, string Kid);

    private readonly ConcurrentDictionary<UInt128, Entry> _entries = new();

    public int Count => _entries.Count;

    private int Capacity => options.Value.Jwt.ValidatedTokenCacheSize;

    /// <summary>A handler for <see cref="Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerOptions.TokenHandlers"/> that consults this cache.</summary>
    public TokenHandler Handler() => new CachingHandler(this);

    private static UInt128 Key(string token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var length = Encoding.UTF8.GetByteCount(token);
        Span<byte> bytes = length <= 4096 ? stackalloc byte[length] : new byte[length];
        Encoding.UTF8.GetBytes(token, bytes);
        SHA256.HashData(bytes, hash);
        // 128 of the 256 bits: a collision needs a second-preimage on SHA-256 truncated to 128 bits.
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    private TokenValidationResult? Find(UInt128 key)
    {
        if (!_entries.TryGetValue(key, out var entry)) return null;
        if (clock.GetUtcNow() <= entry.ExpiresAt + SigningKeys.ClockSkew && keys.Knows(entry.Kid)) return entry.Result;
        _entries.TryRemove(key, out _);
        return null;
    }

    private void Add(UInt128 key, TokenValidationResult result)
    {
        if (Capacity <= 0 || result.SecurityToken is not JsonWebToken jwt || string.IsNullOrEmpty(jwt.Kid)) return;
        if (_entries.Count >= Capacity)
        {
            var now = clock.GetUtcNow();
            foreach (var (k, e) in _entries)
                if (now > e.ExpiresAt + SigningKeys.ClockSkew) _entries.TryRemove(k, out _);
            if (_entries.Count >= Capacity) _entries.Clear();
        }
        _ = result.ClaimsIdentity; // materialised once here, so hits only read it
        _entries[key] = new Entry(result, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), jwt.Kid);
    }

    private sealed class CachingHandler(ValidatedTokenCache cache) : JsonWebTokenHandler
    {
        public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
        {
            if (string.IsNullOrEmpty(token) || token.Length > MaximumTokenSizeInBytes)
                return await base.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
            var key = Key(token);
            if (cache.Find(key) is { } hit) return hit;
            var result = await base.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
            if (result.IsValid) cache.Add(key, result);
            return result;
        }
    }
}
