using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace TeacherPlatform.Api.Auth;

/// <summary>
/// Supplies an external issuer's signing keys straight from its JWKS URL (Supabase publishes JWKS without a full
/// OpenID discovery document), refreshed every 10 minutes and on demand when an unknown kid shows up.
/// </summary>
internal sealed class JwksConfigurationManager(string jwksUrl, string issuer) : IConfigurationManager<OpenIdConnectConfiguration>
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly SemaphoreSlim _gate = new(1, 1);
    private OpenIdConnectConfiguration? _current;
    private DateTimeOffset _fetchedAt;

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        if (_current is not null && DateTimeOffset.UtcNow - _fetchedAt < TimeSpan.FromMinutes(10)) return _current;
        await _gate.WaitAsync(cancel);
        try
        {
            if (_current is not null && DateTimeOffset.UtcNow - _fetchedAt < TimeSpan.FromMinutes(10)) return _current;
            var json = await Http.GetStringAsync(jwksUrl, cancel);
            var config = new OpenIdConnectConfiguration { Issuer = issuer, JsonWebKeySet = new JsonWebKeySet(json) };
            foreach (var key in config.JsonWebKeySet.GetSigningKeys()) config.SigningKeys.Add(key);
            _current = config;
            _fetchedAt = DateTimeOffset.UtcNow;
            return config;
        }
        finally { _gate.Release(); }
    }

    public void RequestRefresh() => _fetchedAt = DateTimeOffset.MinValue;
}
