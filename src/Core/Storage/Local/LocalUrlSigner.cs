using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace TeacherPlatform.Core.Storage.Local;

public static class SignedUrlOperation
{
    public const string Get = "get";
    public const string Put = "put";
}

public enum SignedUrlVerdict
{
    Valid,
    InvalidSignature,
    Expired,
}

/// <summary>The query parameters of a local signed URL, exactly as received.</summary>
public sealed record SignedUrlClaims(string Operation, string Key, string Expires, string UserId, string? FileName)
{
    /// <summary>The user the URL was issued to, or null for a URL issued without one.</summary>
    public Guid? User => Guid.TryParse(UserId, out var id) ? id : null;
}

/// <summary>
/// HMAC-SHA256 over "op\nkey\nexp\nuid" (plus "\nname" when a download file name is present, so it cannot be
/// swapped either), base64url-encoded into <c>sig</c>.
/// </summary>
public sealed class LocalUrlSigner(LocalSigningKey signingKey, TimeProvider timeProvider)
{
    public string Sign(SignedUrlClaims claims)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(claims, mac);
        return Base64Url.EncodeToString(mac);
    }

    public SignedUrlVerdict Verify(SignedUrlClaims claims, string? signature)
    {
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Span<byte> actual = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(claims, expected);
        if (string.IsNullOrEmpty(signature)
            || !Base64Url.TryDecodeFromChars(signature, actual, out var written)
            || written != actual.Length
            || !CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            return SignedUrlVerdict.InvalidSignature;
        }

        // The signature vouches for exp, so a malformed value here can only come from our own bug.
        if (!long.TryParse(claims.Expires, out var expires))
        {
            return SignedUrlVerdict.InvalidSignature;
        }

        return timeProvider.GetUtcNow().ToUnixTimeSeconds() > expires ? SignedUrlVerdict.Expired : SignedUrlVerdict.Valid;
    }

    private void ComputeMac(SignedUrlClaims claims, Span<byte> destination)
    {
        var payload = $"{claims.Operation}\n{claims.Key}\n{claims.Expires}\n{claims.UserId}";
        if (!string.IsNullOrEmpty(claims.FileName))
        {
            payload += $"\n{claims.FileName}";
        }

        HMACSHA256.HashData(signingKey.Key, Encoding.UTF8.GetBytes(payload), destination);
    }
}
