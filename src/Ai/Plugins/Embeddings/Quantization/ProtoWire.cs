using System.Buffers;
using System.Text;

namespace TeacherPlatform.Ai.Embeddings.Quantization;

/// <summary>
/// The few pieces of the protobuf wire format the ONNX rewriter needs. Messages are read as a flat list of fields that
/// keep their exact encoded bytes, so everything the rewriter does not touch is written back byte for byte (no generated
/// classes, no dependency, nothing of the model lost to an older schema).
/// </summary>
internal readonly record struct ProtoField(int Number, int WireType, ulong Varint, ReadOnlyMemory<byte> Payload, ReadOnlyMemory<byte> Encoded)
{
    public const int VarintType = 0, Fixed64Type = 1, LengthDelimitedType = 2, Fixed32Type = 5;

    public string AsString() => Encoding.UTF8.GetString(Payload.Span);
}

internal static class ProtoWire
{
    public static List<ProtoField> Parse(ReadOnlyMemory<byte> message)
    {
        var fields = new List<ProtoField>();
        var span = message.Span;
        var pos = 0;
        while (pos < span.Length)
        {
            var start = pos;
            var tag = ReadVarint(span, ref pos);
            var number = checked((int)(tag >> 3));
            var wireType = (int)(tag & 7);
            ulong varint = 0;
            ReadOnlyMemory<byte> payload = default;
            switch (wireType)
            {
                case ProtoField.VarintType: varint = ReadVarint(span, ref pos); break;
                case ProtoField.Fixed64Type: payload = message.Slice(pos, 8); pos += 8; break;
                case ProtoField.Fixed32Type: payload = message.Slice(pos, 4); pos += 4; break;
                case ProtoField.LengthDelimitedType:
                    var length = checked((int)ReadVarint(span, ref pos));
                    payload = message.Slice(pos, length);
                    pos += length;
                    break;
                default: throw new InvalidDataException($"Unsupported protobuf wire type {wireType} (field {number}).");
            }
            if (pos > span.Length) throw new InvalidDataException("Truncated protobuf message.");
            fields.Add(new ProtoField(number, wireType, varint, payload, message[start..pos]));
        }
        return fields;
    }

    /// <summary>Values of a repeated int64 field, packed or not.</summary>
    public static List<long> Int64s(IEnumerable<ProtoField> fields, int number)
    {
        var values = new List<long>();
        foreach (var f in fields.Where(f => f.Number == number))
        {
            if (f.WireType == ProtoField.VarintType) { values.Add((long)f.Varint); continue; }
            var span = f.Payload.Span;
            var pos = 0;
            while (pos < span.Length) values.Add((long)ReadVarint(span, ref pos));
        }
        return values;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int pos)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= span.Length) throw new InvalidDataException("Truncated protobuf varint.");
            var b = span[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new InvalidDataException("Malformed protobuf varint.");
    }
}

/// <summary>Append-only protobuf writer.</summary>
internal sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.WrittenMemory;
    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public ProtoWriter Raw(ProtoField field) { _buffer.Write(field.Encoded.Span); return this; }

    public ProtoWriter Varint(int number, long value)
    {
        Tag(number, ProtoField.VarintType);
        WriteVarint((ulong)value);
        return this;
    }

    public ProtoWriter Bytes(int number, ReadOnlySpan<byte> value)
    {
        Tag(number, ProtoField.LengthDelimitedType);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    public ProtoWriter String(int number, string value) => Bytes(number, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Message(int number, ProtoWriter message) => Bytes(number, message.WrittenMemory.Span);

    private void Tag(int number, int wireType) => WriteVarint(((ulong)number << 3) | (uint)wireType);

    private void WriteVarint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var i = 0;
        while (value >= 0x80) { span[i++] = (byte)(value | 0x80); value >>= 7; }
        span[i++] = (byte)value;
        _buffer.Advance(i);
    }
}
