using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace TeacherPlatform.Ingestion.Partitioning;

/// <summary>
/// Deterministic chunk ids (UUID version 5 layout over SHA-256): re-processing identical text yields identical ids,
/// so caches and citations keyed by chunk id survive a re-index that changed nothing.
/// </summary>
public static class ChunkId
{
    public static Guid For(Guid documentId, int index, string text)
    {
        Span<byte> input = stackalloc byte[16 + 4 + 32];
        documentId.TryWriteBytes(input[..16], bigEndian: true, out _);
        BinaryPrimitives.WriteInt32BigEndian(input.Slice(16, 4), index);
        SHA256.HashData(Encoding.UTF8.GetBytes(text), input[20..]);

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50); // version 5 (name-based)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true);
    }
}
