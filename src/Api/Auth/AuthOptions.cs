namespace TeacherPlatform.Api.Auth;

public sealed class AuthOptions
{
    public const string Section = "Auth";
    public JwtOptions Jwt { get; set; } = new();
    public PasswordOptions Password { get; set; } = new();
    public LockoutOptions Lockout { get; set; } = new();
    public BootstrapAdminOptions BootstrapAdmin { get; set; } = new();
    public ExternalIssuerOptions External { get; set; } = new();
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(7);
    /// <summary>How long a user's role is cached between lookups of the local record (0 = look up on every request).</summary>
    public TimeSpan RoleCacheDuration { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class JwtOptions
{
    public string Issuer { get; set; } = "teacherplatform";
    public string Audience { get; set; } = "teacherplatform-api";
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);
    /// <summary>PKCS#8 PEM of an EC P-256 private key (ES256). Prefer <see cref="SigningKeyFile"/> or an env var.</summary>
    public string? SigningKey { get; set; }
    /// <summary>Path to the PEM; when neither is set a key is generated into {Data:Directory}/keys/jwt-es256.pem.</summary>
    public string? SigningKeyFile { get; set; }
    /// <summary>How often each instance reloads the shared key set (rotations done elsewhere become visible).</summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Validated access tokens kept (by hash) so their signature is checked once, not per request; 0 turns the cache off.</summary>
    public int ValidatedTokenCacheSize { get; set; } = 10_000;
}

/// <summary>Argon2id cost. Defaults follow OWASP's minimum (19 MiB, 2 passes, 1 lane).</summary>
public sealed class PasswordOptions
{
    public int MemoryKib { get; set; } = 19_456;
    public int Iterations { get; set; } = 2;
    public int Parallelism { get; set; } = 1;
    public int MinLength { get; set; } = 8;
}

public sealed class LockoutOptions
{
    public int MaxFailedAttempts { get; set; } = 5;
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);
}

public sealed class BootstrapAdminOptions
{
    public string? Email { get; set; }
    public string? Password { get; set; }
    public string DisplayName { get; set; } = "Administrator";
}

/// <summary>Optionally accept access tokens of an external identity provider (e.g. Supabase Auth) by JWKS URL.</summary>
public sealed class ExternalIssuerOptions
{
    public string? Issuer { get; set; }
    public string? JwksUrl { get; set; }
    public string? Audience { get; set; }
    /// <summary>Role given to users first seen through the external issuer.</summary>
    public string DefaultRole { get; set; } = "student";
    public bool Enabled => !string.IsNullOrWhiteSpace(Issuer) && !string.IsNullOrWhiteSpace(JwksUrl);
}
