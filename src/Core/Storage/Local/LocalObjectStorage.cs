using System.Buffers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace TeacherPlatform.Core.Storage.Local;

/// <summary>An opened local object with the facts read from the same open file handle.</summary>
public sealed record LocalObject(Stream Content, ObjectInfo Info, string ContentType);

/// <summary>
/// Objects as files under a root directory. Upload/download URLs point at the API's own <c>/api/storage</c>
/// endpoints and carry an HMAC signature. Each object has a hidden sidecar with its SHA-256 (the strong ETag) and
/// content type; temp files and sidecars start with '.', which valid keys never do.
/// </summary>
public sealed class LocalObjectStorage : IObjectStorage
{
    public const string DefaultContentType = "application/octet-stream";
    private const int BufferSize = 81920;

    private readonly string _root;
    private readonly LocalUrlSigner _signer;
    private readonly StorageUrlBase _urlBase;
    private readonly TimeProvider _timeProvider;

    public LocalObjectStorage(IOptions<StorageOptions> options, LocalUrlSigner signer, TimeProvider timeProvider, IHttpContextAccessor? httpContextAccessor = null)
    {
        var local = options.Value.Local;
        _root = Path.GetFullPath(local.Directory ?? throw new InvalidOperationException("Storage:Local:Directory is not set."));
        _signer = signer;
        _timeProvider = timeProvider;
        _urlBase = new StorageUrlBase(local, httpContextAccessor);
    }

    public string Provider => "local";

    public string RootDirectory => _root;

    public Task<PresignedUrl> CreateUploadUrlAsync(string key, string contentType, TimeSpan lifetime, Guid? userId, CancellationToken cancellationToken = default) =>
        Task.FromResult(CreateUrl(SignedUrlOperation.Put, key, lifetime, userId, fileName: null));

    public Task<PresignedUrl> CreateDownloadUrlAsync(string key, string? downloadFileName, TimeSpan lifetime, Guid? userId, CancellationToken cancellationToken = default) =>
        Task.FromResult(CreateUrl(SignedUrlOperation.Get, key, lifetime, userId, downloadFileName));

    public async Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken = default)
    {
        var file = new FileInfo(PathOf(key));
        if (!file.Exists)
        {
            return null;
        }

        var metadata = await LocalObjectMetadata.TryReadAsync(MetadataPathOf(key), cancellationToken);
        return Describe(key, file.Length, file.LastWriteTimeUtc, metadata);
    }

    public Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var stream = OpenFile(PathOf(key)) ?? throw new FileNotFoundException($"Object '{key}' does not exist.", key);
        if (offset > 0)
        {
            stream.Seek(offset, SeekOrigin.Begin);
        }

        return Task.FromResult<Stream>(length is { } count ? new WindowReadStream(stream, count) : stream);
    }

    /// <summary>Opens the object for streaming (seekable, for range processing); null when it does not exist.</summary>
    public async Task<LocalObject?> OpenObjectAsync(string key, CancellationToken cancellationToken = default)
    {
        var stream = OpenFile(PathOf(key));
        if (stream is null)
        {
            return null;
        }

        try
        {
            // Size and mtime come from the open handle, so the ETag matches the bytes served even if the key is replaced meanwhile.
            var lastWrite = File.GetLastWriteTimeUtc(stream.SafeFileHandle);
            var metadata = await LocalObjectMetadata.TryReadAsync(MetadataPathOf(key), cancellationToken);
            var info = Describe(key, stream.Length, lastWrite, metadata);
            var contentType = metadata is not null && metadata.Describes(stream.Length, lastWrite) ? metadata.ContentType : DefaultContentType;
            return new LocalObject(stream, info, contentType);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    public async Task PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken = default) =>
        await PutObjectAsync(key, content, contentType, cancellationToken);

    /// <summary>
    /// Streams <paramref name="content"/> into a temp file beside the target, hashing as it goes, then renames it over
    /// the final name. Any failure (cancellation, client abort, <see cref="ObjectTooLargeException"/>) leaves nothing behind.
    /// </summary>
    public async Task<ObjectInfo> PutObjectAsync(string key, Stream content, string contentType, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        var metadataPath = MetadataPathOf(key);
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var suffix = $".{Guid.NewGuid():N}.tmp";
        var tempPath = Path.Combine(directory, $".{Path.GetFileName(path)}{suffix}");
        var tempMetadataPath = metadataPath + suffix;

        try
        {
            var (size, sha256) = await CopyHashingAsync(content, tempPath, cancellationToken);
            var lastWrite = File.GetLastWriteTimeUtc(tempPath);
            var metadata = new LocalObjectMetadata(size, sha256, string.IsNullOrWhiteSpace(contentType) ? DefaultContentType : contentType, lastWrite.Ticks);
            await metadata.WriteAsync(tempMetadataPath, cancellationToken);

            // Rename preserves mtime, which is what binds the sidecar to this version of the object.
            File.Move(tempPath, path, overwrite: true);
            File.Move(tempMetadataPath, metadataPath, overwrite: true);
            return new ObjectInfo(key, size, metadata.ETag, new DateTimeOffset(lastWrite, TimeSpan.Zero), metadata.ContentType);
        }
        finally
        {
            File.Delete(tempPath);
            File.Delete(tempMetadataPath);
        }
    }

    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        var existed = File.Exists(path);
        DeleteIfPresent(path);
        DeleteIfPresent(MetadataPathOf(key));
        return Task.FromResult(existed);
    }

    /// <summary>A missing file, or a missing folder (an object that was never uploaded), is already deleted.</summary>
    private static void DeleteIfPresent(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            Directory.CreateDirectory(_root);
            var probe = Path.Combine(_root, $".ready.{Guid.NewGuid():N}.tmp");
            await File.WriteAllBytesAsync(probe, [], cancellationToken);
            File.Delete(probe);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private PresignedUrl CreateUrl(string operation, string key, TimeSpan lifetime, Guid? userId, string? fileName)
    {
        ObjectKey.Validate(key);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds((_timeProvider.GetUtcNow() + lifetime).ToUnixTimeSeconds());
        var claims = new SignedUrlClaims(operation, key, expiresAt.ToUnixTimeSeconds().ToString(), userId?.ToString("D") ?? "", fileName);
        var url = $"{_urlBase.Resolve()}/api/storage/{key}?op={operation}&exp={claims.Expires}&uid={claims.UserId}";
        if (!string.IsNullOrEmpty(fileName))
        {
            url += $"&name={Uri.EscapeDataString(fileName)}";
        }

        return new PresignedUrl(new Uri(url + $"&sig={_signer.Sign(claims)}"), expiresAt);
    }

    private static ObjectInfo Describe(string key, long size, DateTime lastWriteUtc, LocalObjectMetadata? metadata)
    {
        var current = metadata is not null && metadata.Describes(size, lastWriteUtc) ? metadata : null;
        // Without a matching sidecar (written by hand, or a crash between renames) fall back to size+mtime: still
        // changes whenever the file does.
        var etag = current?.ETag ?? $"\"{size:x}-{lastWriteUtc.Ticks:x}\"";
        return new ObjectInfo(key, size, etag, new DateTimeOffset(lastWriteUtc, TimeSpan.Zero), current?.ContentType);
    }

    private static FileStream? OpenFile(string path)
    {
        try
        {
            // FileShare.Delete: a concurrent replace or delete must not fail because someone is downloading.
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static async Task<(long Size, string Sha256)> CopyHashingAsync(Stream source, string destination, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long size = 0;
        try
        {
            await using var target = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                size += read;
            }

            await target.FlushAsync(cancellationToken);
            // Durable before the rename publishes it.
            target.Flush(flushToDisk: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private string PathOf(string key) => Path.Combine(_root, ObjectKey.Validate(key));

    private string MetadataPathOf(string key)
    {
        var path = PathOf(key);
        return Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.meta");
    }
}
