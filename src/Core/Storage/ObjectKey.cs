using System.Buffers;

namespace TeacherPlatform.Core.Storage;

/// <summary>
/// Object keys are relative, '/'-separated paths over [A-Za-z0-9/._-]. Segments may not be empty or start
/// with '.', which rules out "..", hidden files and collisions with the local store's temp/metadata files.
/// </summary>
public static class ObjectKey
{
    public const int MaxLength = 1024;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._-");

    public static bool IsValid(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > MaxLength || key.AsSpan().ContainsAnyExcept(Allowed))
        {
            return false;
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment[0] == '.')
            {
                return false;
            }
        }

        return true;
    }

    /// <exception cref="InvalidObjectKeyException">The key is not acceptable.</exception>
    public static string Validate(string? key) =>
        IsValid(key) ? key! : throw new InvalidObjectKeyException(key);
}

public sealed class InvalidObjectKeyException(string? key)
    : ArgumentException($"Invalid object key '{key}': use relative '/'-separated segments of [A-Za-z0-9._-], none empty or starting with '.'.", "key");

/// <summary>An upload exceeded <see cref="StorageOptions.MaxUploadBytes"/>.</summary>
public sealed class ObjectTooLargeException(long limit)
    : IOException($"The object exceeds the limit of {limit} bytes.")
{
    public long Limit { get; } = limit;
}
