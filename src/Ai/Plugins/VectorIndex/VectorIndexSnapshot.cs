using System.Security.Cryptography;
using System.Text;

namespace TeacherPlatform.Ai.VectorIndex;

/// <summary>What a snapshot was taken of: the checks a reader makes before trusting it.</summary>
/// <param name="ModelId">Embedding model the vectors come from; another model's vectors are useless.</param>
/// <param name="Dimensions">Vector length.</param>
/// <param name="Count">Live keys in the index.</param>
/// <param name="HighWaterKey">Largest key in the index (keys are never reused): rows above it were added after the snapshot.</param>
/// <param name="SourceVersion">The source's change counter when the snapshot was taken (informational).</param>
public sealed record VectorSnapshotHeader(string ModelId, int Dimensions, int Count, long HighWaterKey, long SourceVersion);

/// <summary>The outcome of reading a snapshot: the index and its header, or why it cannot be used.</summary>
public sealed record VectorSnapshotRead(InProcessVectorIndex? Index, VectorSnapshotHeader? Header, string? Problem);

/// <summary>
/// A versioned binary file holding an <see cref="InProcessVectorIndex"/> (HNSW graph included) so start-up loads the
/// graph instead of rebuilding it. Layout: magic, format version, header, payload length, SHA-256 of the payload, payload.
/// Written to a temporary file, flushed to disk, then renamed over the old one, so a reader sees the old file or the
/// new one, never half of one; a torn or bit-flipped file fails the checksum and is rebuilt by the caller.
/// </summary>
public static class VectorIndexSnapshot
{
    private const int FormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "TPVX"u8;
    private const int BufferSize = 1 << 20;

    /// <summary>Writes <paramref name="index"/> atomically; count and high-water key are taken from what was actually written.</summary>
    public static VectorSnapshotHeader Write(string path, string modelId, long sourceVersion, InProcessVectorIndex index)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        VectorSnapshotHeader header;
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, BufferSize))
            {
                using var writer = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true);
                writer.Write(Magic);
                writer.Write(FormatVersion);
                writer.Write(modelId);
                writer.Write(index.Dimensions);
                var countAt = file.Position;
                writer.Write(0);
                writer.Write(0L);
                writer.Write(sourceVersion);
                var lengthAt = file.Position;
                writer.Write(0L);
                writer.Write(new byte[SHA256.HashSizeInBytes]);
                writer.Flush();
                var payloadAt = file.Position;
                var (count, maxKey) = index.WriteTo(file);
                file.Flush();
                var length = file.Position - payloadAt;
                var hash = HashRegion(file, payloadAt, length);
                header = new VectorSnapshotHeader(modelId, index.Dimensions, count, maxKey, sourceVersion);
                file.Position = countAt;
                writer.Write(count);
                writer.Write(maxKey);
                writer.Flush();
                file.Position = lengthAt;
                writer.Write(length);
                writer.Write(hash);
                writer.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            return header;
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// Reads the snapshot at <paramref name="path"/> when it exists, is intact (checksum) and was taken for this model and
    /// dimension; otherwise returns the reason it cannot be used (the caller rebuilds from its source of truth).
    /// </summary>
    public static VectorSnapshotRead TryRead(string path, string modelId, int dimensions, InProcessVectorIndexOptions? options = null)
    {
        if (!File.Exists(path)) return new(null, null, "no snapshot file");
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize);
            using var reader = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
            Span<byte> magic = stackalloc byte[4];
            file.ReadExactly(magic);
            if (!magic.SequenceEqual(Magic)) return new(null, null, "not a vector index snapshot");
            var version = reader.ReadInt32();
            if (version != FormatVersion) return new(null, null, $"snapshot format {version}, expected {FormatVersion}");
            var header = new VectorSnapshotHeader(reader.ReadString(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt64());
            if (header.ModelId != modelId || header.Dimensions != dimensions)
                return new(null, header, $"snapshot of model {header.ModelId} ({header.Dimensions} dims), the index uses {modelId} ({dimensions} dims)");
            var length = reader.ReadInt64();
            var expected = reader.ReadBytes(SHA256.HashSizeInBytes);
            var payloadAt = file.Position;
            if (length < 0 || payloadAt + length != file.Length) return new(null, header, "snapshot truncated or padded");
            // Checked before parsing, so a damaged file can never drive a read.
            if (!HashRegion(file, payloadAt, length).AsSpan().SequenceEqual(expected)) return new(null, header, "snapshot checksum mismatch");
            file.Position = payloadAt;
            var index = InProcessVectorIndex.ReadFrom(file, dimensions, options);
            if (file.Position != file.Length || index.Count != header.Count)
            {
                index.Dispose();
                return new(null, header, "snapshot payload does not match its header");
            }
            return new(index, header, null);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or EndOfStreamException or UnauthorizedAccessException or ArgumentException)
        {
            return new(null, null, $"unreadable snapshot: {ex.Message}");
        }
    }

    private static byte[] HashRegion(FileStream file, long offset, long length)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        file.Position = offset;
        var left = length;
        while (left > 0)
        {
            var read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0) throw new EndOfStreamException();
            hash.AppendData(buffer, 0, read);
            left -= read;
        }
        return hash.GetHashAndReset();
    }
}
