using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TeacherPlatform.Edge.Proxy;

namespace TeacherPlatform.Edge.Streaming;

public sealed record TokenCheck(string? Subject, string? ErrorCode, string? ErrorDetail)
{
    public bool IsValid => Subject is not null;
}

/// <summary>
/// Validates the API's ES256 access tokens at the edge with the keys from the API's JWKS: cached, refreshed on a
/// schedule and when a token names an unknown <c>kid</c> (rate-limited, so forged kids cannot make the edge hammer the API).
/// Lifetimes are checked against <see cref="TimeProvider"/>.
/// </summary>
public sealed class EdgeTokenValidator(IOptions<EdgeOptions> options, UpstreamClient upstream, TimeProvider clock, ILogger<EdgeTokenValidator> logger)
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private JsonWebKeySet? _keys;
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;

    public async Task<TokenCheck> ValidateAsync(string? authorization, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(authorization) || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return new(null, "unauthorized", "An access token is required (Authorization: Bearer <token>).");
        var raw = authorization["Bearer ".Length..].Trim();
        if (!_handler.CanReadToken(raw)) return Invalid();
        JsonWebToken jwt;
        try { jwt = _handler.ReadJsonWebToken(raw); }
        catch (ArgumentException) { return Invalid(); }

        var keys = await KeysAsync(jwt.Kid, ct);
        if (keys is null) return new(null, "invalid_token", "The access token cannot be verified right now.");
        var o = options.Value.Auth;
        var result = await _handler.ValidateTokenAsync(raw, new TokenValidationParameters
        {
            ValidIssuer = o.Issuer,
            ValidAudience = o.Audience,
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = false, // checked below against TimeProvider
        });
        if (!result.IsValid)
            return result.Exception is SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException
                ? new(null, "invalid_token", "The access token signature is not valid.")
                : Invalid();

        var now = clock.GetUtcNow().UtcDateTime;
        if (jwt.ValidTo == DateTime.MinValue || now > jwt.ValidTo + o.ClockSkew) return new(null, "token_expired", "The access token has expired.");
        if (jwt.ValidFrom != DateTime.MinValue && now < jwt.ValidFrom - o.ClockSkew) return Invalid();
        var sub = jwt.Subject;
        return string.IsNullOrEmpty(sub) ? Invalid() : new(sub, null, null);
    }

    private static TokenCheck Invalid() => new(null, "invalid_token", "The access token is not valid.");

    private async Task<JsonWebKeySet?> KeysAsync(string? kid, CancellationToken ct)
    {
        var o = options.Value.Auth;
        var age = clock.GetUtcNow() - _fetchedAt;
        var known = _keys is not null && (kid is null || _keys.Keys.Any(k => k.Kid == kid));
        if (known && age < o.JwksRefreshInterval) return _keys;
        if (_keys is not null && !known && age < o.JwksMinimumRefreshInterval) return _keys; // unknown kid, refreshed moments ago

        await _gate.WaitAsync(ct);
        try
        {
            if (_fetchedAt != DateTimeOffset.MinValue && clock.GetUtcNow() - _fetchedAt < o.JwksMinimumRefreshInterval) return _keys;
            try
            {
                using var response = await upstream.SendAsync(baseUrl =>
                    new HttpRequestMessage(HttpMethod.Get, string.IsNullOrWhiteSpace(o.JwksUrl) ? $"{baseUrl}/.well-known/jwks.json" : o.JwksUrl), ct);
                response.EnsureSuccessStatusCode();
                _keys = new JsonWebKeySet(await response.Content.ReadAsStringAsync(ct));
                _fetchedAt = clock.GetUtcNow();
            }
            catch (Exception ex) when (ex is HttpRequestException or UpstreamUnavailableException or ArgumentException)
            {
                logger.LogWarning(ex, "Could not fetch the API's JWKS; keeping the cached keys");
            }
            return _keys;
        }
        finally { _gate.Release(); }
    }
}
