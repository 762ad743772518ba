namespace TeacherPlatform.Core.Storage.S3;

/// <summary>
/// A read-only window over a whole-object stream: skips <c>offset</c> bytes on first read, then ends after
/// <c>length</c> bytes (or at the end of the object). Owns and disposes the inner stream.
/// </summary>
internal sealed class ObjectSliceStream(Stream inner, long offset, long? length) : Stream
{
    private long _toSkip = offset;
    private long? _remaining = length;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await SkipAsync(cancellationToken);
        if (_remaining is <= 0 || buffer.IsEmpty) return 0;
        if (_remaining is { } left && left < buffer.Length) buffer = buffer[..(int)left];
        var read = await inner.ReadAsync(buffer, cancellationToken);
        if (_remaining is not null) _remaining -= read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        while (_toSkip > 0)
        {
            var skipped = inner.Read(new byte[(int)Math.Min(_toSkip, 64 * 1024)]);
            if (skipped == 0) _toSkip = 0;
            _toSkip -= skipped;
        }
        if (_remaining is <= 0 || count == 0) return 0;
        if (_remaining is { } left && left < count) count = (int)left;
        var read = inner.Read(buffer, offset, count);
        if (_remaining is not null) _remaining -= read;
        return read;
    }

    private async ValueTask SkipAsync(CancellationToken ct)
    {
        if (_toSkip == 0) return;
        var scratch = new byte[(int)Math.Min(_toSkip, 64 * 1024)];
        while (_toSkip > 0)
        {
            var read = await inner.ReadAsync(scratch.AsMemory(0, (int)Math.Min(_toSkip, scratch.Length)), ct);
            if (read == 0) break;
            _toSkip -= read;
        }
        _toSkip = 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
