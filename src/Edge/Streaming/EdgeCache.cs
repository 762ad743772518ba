using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using TeacherPlatform.Edge.Infrastructure;

namespace TeacherPlatform.Edge.Streaming;

/// <summary>A file in the cache; <see cref="Path"/> may be evicted at any time (open it and handle a missing file).</summary>
public sealed record CachedFile(string Key, string Path, long Size);

/// <summary>
/// Project files on local disk, keyed by project and ETag (a new version is a new key, so nothing is ever stale).
/// Size-capped with least-recently-used eviction. Space is reserved before a fill starts, so the bytes on disk (files
/// being written included) never exceed <see cref="EdgeCacheOptions.MaxBytes"/>. Concurrent misses for the same object
/// share one origin fetch.
/// </summary>
public sealed class EdgeCache
{
    private readonly object _lock = new();
    private readonly Dictionary<string, (CachedFile File, long LastUse)> _entries = new();
    private readonly SingleFlight<string, CachedFile?> _fills = new();
    private readonly EdgeCacheOptions _options;
    private readonly EdgeMetrics _metrics;
    private readonly ILogger<EdgeCache> _logger;
    private long _used, _clock;

    public EdgeCache(IOptions<EdgeOptions> options, EdgeMetrics metrics, ILogger<EdgeCache> logger)
    {
        _options = options.Value.Cache;
        _metrics = metrics;
        _logger = logger;
        Directory = string.IsNullOrWhiteSpace(_options.Directory)
            ? System.IO.Path.Combine(System.IO.Path.GetTempPath(), "teacherplatform-edge-cache")
            : _options.Directory;
        System.IO.Directory.CreateDirectory(Directory);
        LoadExisting();
        metrics.ObserveCacheSize(() => Interlocked.Read(ref _used));
    }

    public string Directory { get; }
    public long MaxBytes => _options.MaxBytes;
    public long UsedBytes { get { lock (_lock) return _used; } }

    public static string KeyFor(Guid projectId, string etag) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{projectId:D}|{etag}")));

    public bool TryGet(string key, out CachedFile file)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                _entries[key] = (entry.File, ++_clock);
                file = entry.File;
                return true;
            }
        }
        file = null!;
        return false;
    }

    /// <summary>Drops an entry whose file vanished (deleted by an operator, or a failed write).</summary>
    public void Forget(string key)
    {
        lock (_lock)
        {
            if (_entries.Remove(key, out var entry)) _used -= entry.File.Size;
        }
    }

    /// <summary>The cached file, filling it from <paramref name="fetch"/> on a miss; null when it cannot be cached (too big, cache full of fills).</summary>
    public async Task<CachedFile?> GetOrFillAsync(string key, long size, Func<Stream, CancellationToken, Task> fetch, CancellationToken ct)
    {
        if (TryGet(key, out var hit)) { _metrics.Hit(); return hit; }
        _metrics.Miss();
        return await _fills.RunAsync(key, () => FillAsync(key, size, fetch), ct);
    }

    private async Task<CachedFile?> FillAsync(string key, long size, Func<Stream, CancellationToken, Task> fetch)
    {
        if (TryGet(key, out var hit)) return hit; // filled by the flight that just ended
        if (!Reserve(size)) return null;
        var final = System.IO.Path.Combine(Directory, key);
        var temp = final + ".part";
        try
        {
            using var timeout = new CancellationTokenSource(_options.FillTimeout);
            await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                await fetch(new CappedWriteStream(stream, size), timeout.Token);
                if (stream.Length != size) throw new OriginException($"The origin sent {stream.Length} bytes, expected {size}.");
            }
            File.Move(temp, final, overwrite: true);
            var file = new CachedFile(key, final, size);
            lock (_lock) _entries[key] = (file, ++_clock); // the reservation becomes the entry
            _metrics.OriginFetch(size);
            return file;
        }
        catch
        {
            lock (_lock) _used -= size;
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Makes room for <paramref name="size"/> bytes by evicting least-recently-used files; false when that is impossible.</summary>
    private bool Reserve(long size)
    {
        var evicted = new List<string>();
        lock (_lock)
        {
            if (size > _options.MaxBytes) return false;
            while (_used + size > _options.MaxBytes)
            {
                if (_entries.Count == 0) break;
                var oldest = _entries.MinBy(e => e.Value.LastUse);
                _entries.Remove(oldest.Key);
                _used -= oldest.Value.File.Size;
                evicted.Add(oldest.Value.File.Path);
            }
            if (_used + size > _options.MaxBytes) return false; // the rest is reserved by running fills
            _used += size;
        }
        // Deleting an open file is fine on Unix; readers keep their handle. On Windows a reader may make this fail.
        foreach (var path in evicted) { TryDelete(path); _metrics.Evicted(); }
        return true;
    }

    private void LoadExisting()
    {
        var files = new DirectoryInfo(Directory).GetFiles().OrderBy(f => f.LastAccessTimeUtc).ToList();
        foreach (var f in files)
        {
            if (f.Name.EndsWith(".part", StringComparison.Ordinal) || f.Name.Length != 64) { TryDelete(f.FullName); continue; }
            if (_used + f.Length > _options.MaxBytes) { TryDelete(f.FullName); continue; }
            _entries[f.Name] = (new CachedFile(f.Name, f.FullName, f.Length), ++_clock);
            _used += f.Length;
        }
    }

    private void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException ex) { _logger.LogWarning(ex, "Could not delete cache file {Path}", path); }
        catch (UnauthorizedAccessException ex) { _logger.LogWarning(ex, "Could not delete cache file {Path}", path); }
    }

    /// <summary>Refuses to write past the expected size, so a misbehaving origin cannot overrun the reservation.</summary>
    private sealed class CappedWriteStream(Stream inner, long cap) : Stream
    {
        private long _written;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer) { Count(buffer.Length); inner.Write(buffer); }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) { Count(buffer.Length); return inner.WriteAsync(buffer, ct); }
        private void Count(int n)
        {
            _written += n;
            if (_written > cap) throw new OriginException($"The origin sent more than the expected {cap} bytes.");
        }
    }
}
