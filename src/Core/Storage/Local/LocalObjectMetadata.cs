using System.Text.Json;

namespace TeacherPlatform.Core.Storage.Local;

/// <summary>
/// Sidecar written next to each object. <see cref="LastWriteTicks"/> ties it to one version of the file: after a
/// crash between the two renames, a sidecar describing another version is detected and ignored.
/// </summary>
public sealed record LocalObjectMetadata(long Size, string Sha256, string ContentType, long LastWriteTicks)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public string ETag => $"\"{Sha256}\"";

    public bool Describes(long size, DateTime lastWriteUtc) => Size == size && LastWriteTicks == lastWriteUtc.Ticks;

    public static async Task<LocalObjectMetadata?> TryReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, useAsync: true);
            return await JsonSerializer.DeserializeAsync<LocalObjectMetadata>(stream, Json, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true);
        await JsonSerializer.SerializeAsync(stream, this, Json, cancellationToken);
    }
}
