using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using TeacherPlatform.Core.Configuration;

namespace TeacherPlatform.Api.Auth;

/// <summary>
/// The ES256 key pair that signs access tokens. Loaded from configuration, or generated once into the data
/// directory so that tokens survive restarts. The key id is the RFC 7638 JWK thumbprint of the public key.
/// </summary>
public sealed class SigningKeys
{
    public SigningKeys(IOptions<AuthOptions> options, IOptions<DataOptions> data, ILogger<SigningKeys> logger)
    {
        var jwt = options.Value.Jwt;
        var ecdsa = ECDsa.Create();
        if (!string.IsNullOrWhiteSpace(jwt.SigningKey))
        {
            ecdsa.ImportFromPem(jwt.SigningKey);
        }
        else
        {
            var path = jwt.SigningKeyFile ?? data.Value.Combine("keys", "jwt-es256.pem");
            if (File.Exists(path))
            {
                ecdsa.ImportFromPem(File.ReadAllText(path));
            }
            else
            {
                ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, ecdsa.ExportPkcs8PrivateKeyPem());
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                logger.LogInformation("Generated a new ES256 signing key at {Path}", path);
            }
        }
        if (ecdsa.KeySize != 256) throw new InvalidOperationException("Auth:Jwt signing key must be an EC P-256 key (ES256).");

        var key = new ECDsaSecurityKey(ecdsa);
        var publicJwk = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(ecdsa.ExportParameters(false))));
        KeyId = Base64UrlEncoder.Encode(publicJwk.ComputeJwkThumbprint());
        key.KeyId = KeyId;
        SecurityKey = key;
        Credentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256);
        Jwk = new PublicJwk("EC", publicJwk.Crv, publicJwk.X, publicJwk.Y, KeyId, "sig", SecurityAlgorithms.EcdsaSha256);
        // Validation key without the private part, with the same kid.
        ValidationKey = new ECDsaSecurityKey(ECDsa.Create(ecdsa.ExportParameters(false))) { KeyId = KeyId };
    }

    public string KeyId { get; }
    public SecurityKey SecurityKey { get; }
    public SecurityKey ValidationKey { get; }
    public SigningCredentials Credentials { get; }
    public PublicJwk Jwk { get; }
}

/// <summary>A public JWK as published at /.well-known/jwks.json (RFC 7517 member names).</summary>
public sealed record PublicJwk(string Kty, string Crv, string X, string Y, string Kid, string Use, string Alg);
