using System.Buffers.Binary;
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
    /// <summary>The user the URL was issued to (canonical "D" form only), or null for a URL issued without one.</summary>
    public Guid? User => UserId.Length == 36 && Guid.TryParseExact(UserId, "D", out var id) ? id : null;

    /// <summary>Who the URL was minted for: a user (access re-checked on use) or the server itself (no user).</summary>
    public string Audience => UserId.Length == 0 ? ServerAudience : UserAudience;

    public const string ServerAudience = "server";
    public const string UserAudience = "user";
}

/// <summary>
/// HMAC-SHA256 over a versioned, length-prefixed encoding of every field (domain tag, audience, op, key, exp, uid,
/// name), base64url-encoded into <c>sig</c>. Each field is preceded by its UTF-8 byte length, so no value can be
/// moved into a neighbouring field, and the audience ("user" or "server") is bound separately, so a URL minted for a
/// user can never be turned into a server URL (which skips the access policy) by editing or dropping <c>uid</c>.
/// </summary>
public sealed class LocalUrlSigner(LocalSigningKey signingKey, TimeProvider timeProvider)
{
    private const string Domain = "teacherplatform/storage-url/v2";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public string Sign(SignedUrlClaims claims)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(claims, mac);
        return Base64Url.EncodeToString(mac);
    }

    public SignedUrlVerdict Verify(SignedUrlClaims claims, string? signature)
    {
        // Shape checks before any crypto: a uid that is present must be a canonical GUID, exp must be decimal digits,
        // and the signature must be exactly 43 base64url characters (32 bytes, unpadded).
        if (string.IsNullOrEmpty(signature) || signature.Length != 43
            || (claims.UserId.Length != 0 && claims.User is null)
            || !IsUnsignedDecimal(claims.Expires))
        {
            return SignedUrlVerdict.InvalidSignature;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Span<byte> actual = stackalloc byte[HMACSHA256.HashSizeInBytes];
        bool decoded;
        int written;
        try
        {
            decoded = Base64Url.TryDecodeFromChars(signature, actual, out written);
        }
        catch (FormatException)
        {
            // Invalid base64url characters throw rather than return false.
            return SignedUrlVerdict.InvalidSignature;
        }

        try
        {
            ComputeMac(claims, expected);
        }
        catch (EncoderFallbackException)
        {
            // A lone surrogate would otherwise encode like U+FFFD and collide with another value.
            return SignedUrlVerdict.InvalidSignature;
        }

        if (!decoded || written != actual.Length || !CryptographicOperations.FixedTimeEquals(expected, actual)
            || !long.TryParse(claims.Expires, out var expires))
        {
            return SignedUrlVerdict.InvalidSignature;
        }

        return timeProvider.GetUtcNow().ToUnixTimeSeconds() > expires ? SignedUrlVerdict.Expired : SignedUrlVerdict.Valid;
    }

    private static bool IsUnsignedDecimal(string value) =>
        value.Length is > 0 and <= 18 && value.All(char.IsAsciiDigit);

    private void ComputeMac(SignedUrlClaims claims, Span<byte> destination)
    {
        using var payload = new MemoryStream(256);
        Write(payload, Domain);
        Write(payload, claims.Audience);
        Write(payload, claims.Operation);
        Write(payload, claims.Key);
        Write(payload, claims.Expires);
        Write(payload, claims.UserId);
        Write(payload, claims.FileName ?? "");
        HMACSHA256.HashData(signingKey.Key, payload.GetBuffer().AsSpan(0, (int)payload.Length), destination);
    }

    private static void Write(Stream payload, string value)
    {
        var bytes = StrictUtf8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        payload.Write(length);
        payload.Write(bytes);
    }
}
