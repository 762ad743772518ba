using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace TeacherPlatform.Api.Auth;

/// <summary>
/// Argon2id in the PHC string format, so that stored hashes carry their own cost and can be verified after the
/// configured cost changes. Hashing is CPU- and memory-bound by design; it runs on the thread pool.
/// </summary>
public sealed class PasswordHasher(IOptions<AuthOptions> options)
{
    private const int SaltBytes = 16, HashBytes = 32;

    /// <summary>Spent on unknown emails so that response time does not reveal whether an account exists.</summary>
    private readonly Lazy<string> _dummy = new(() => HashCore("not-a-real-password", options.Value.Password));

    public Task<string> HashAsync(string password) => Task.Run(() => HashCore(password, options.Value.Password));

    public Task<bool> VerifyAsync(string password, string? encoded) => Task.Run(() =>
    {
        if (encoded is null) { Verify(password, _dummy.Value); return false; }
        return Verify(password, encoded);
    });

    private static string HashCore(string password, PasswordOptions p)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, p.MemoryKib, p.Iterations, p.Parallelism);
        return $"$argon2id$v=19$m={p.MemoryKib},t={p.Iterations},p={p.Parallelism}${B64(salt)}${B64(hash)}";
    }

    private static bool Verify(string password, string encoded)
    {
        var parts = encoded.Split('$');
        if (parts.Length != 6 || parts[1] != "argon2id") return false;
        int m = 0, t = 0, p = 0;
        foreach (var kv in parts[3].Split(','))
        {
            var (k, v) = (kv[..1], int.Parse(kv[2..]));
            if (k == "m") m = v; else if (k == "t") t = v; else if (k == "p") p = v;
        }
        var salt = FromB64(parts[4]);
        var expected = FromB64(parts[5]);
        var actual = Derive(password, salt, m, t, p);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static byte[] Derive(string password, byte[] salt, int memoryKib, int iterations, int parallelism)
    {
        using var argon = new Argon2id(Encoding.UTF8.GetBytes(password))
        {
            Salt = salt, MemorySize = memoryKib, Iterations = iterations, DegreeOfParallelism = parallelism,
        };
        return argon.GetBytes(HashBytes);
    }

    private static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=');
    private static byte[] FromB64(string s) => Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
}
