namespace TeacherPlatform.Core.Storage;

/// <summary>Forward-only, read-only wrapper over another stream; subclasses decide how many bytes may pass.</summary>
public abstract class ReadOnlyStreamBase(Stream inner, bool leaveOpen) : Stream
{
    protected Stream Inner { get; } = inner;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public abstract override int Read(Span<byte> buffer);
    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen)
        {
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!leaveOpen)
        {
            await Inner.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}

/// <summary>Reads at most <c>length</c> bytes of the inner stream (a byte range of an opened file).</summary>
public sealed class WindowReadStream(Stream inner, long length, bool leaveOpen = false) : ReadOnlyStreamBase(inner, leaveOpen)
{
    private long _remaining = length;

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0)
        {
            return 0;
        }

        var read = Inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining <= 0)
        {
            return 0;
        }

        var read = await Inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken);
        _remaining -= read;
        return read;
    }
}

/// <summary>
/// Passes the inner stream through and throws <see cref="ObjectTooLargeException"/> as soon as more than
/// <c>limit</c> bytes arrive, so an oversized upload is refused while streaming (Content-Length may be absent or lie).
/// </summary>
public sealed class SizeLimitedReadStream(Stream inner, long limit, bool leaveOpen = true) : ReadOnlyStreamBase(inner, leaveOpen)
{
    private long _total;

    public override int Read(Span<byte> buffer) => Count(Inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await Inner.ReadAsync(buffer, cancellationToken));

    private int Count(int read)
    {
        _total += read;
        return _total > limit ? throw new ObjectTooLargeException(limit) : read;
    }
}
