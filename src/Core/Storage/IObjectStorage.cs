namespace TeacherPlatform.Core.Storage;

public sealed record PresignedUrl(Uri Url, DateTimeOffset ExpiresAt);

/// <param name="ETag">Strong entity tag, quoted as in HTTP.</param>
/// <param name="ContentType">The stored content type, when the provider knows it.</param>
public sealed record ObjectInfo(string Key, long Size, string ETag, DateTimeOffset LastModified, string? ContentType = null);

/// <summary>
/// Object storage for uploaded files. Clients move bytes through short-lived URLs; the server only
/// inspects, streams and deletes. Implementations: local directory (HMAC-signed URLs served by the API) and S3.
/// </summary>
public interface IObjectStorage
{
    string Provider { get; }
    /// <param name="userId">The user the URL is issued to; the local provider re-checks access on use.</param>
    Task<PresignedUrl> CreateUploadUrlAsync(string key, string contentType, TimeSpan lifetime, Guid? userId, CancellationToken cancellationToken = default);
    Task<PresignedUrl> CreateDownloadUrlAsync(string key, string? downloadFileName, TimeSpan lifetime, Guid? userId, CancellationToken cancellationToken = default);
    Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken = default);
    /// <summary>Opens the object, or the byte range [offset, offset+length) of it, as a stream (never buffered whole).</summary>
    Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default);
    Task PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken = default);
    /// <returns>true when an object was removed; deleting a missing object is not an error.</returns>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);
    /// <summary>Readiness probe for the health endpoint.</summary>
    Task<bool> IsReadyAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Consulted by the API-served (local) storage on every signed-URL use, so that revoking access
/// takes effect immediately even for URLs that have not expired yet.
/// </summary>
public interface IObjectAccessPolicy
{
    Task<bool> CanReadAsync(string key, Guid userId, CancellationToken cancellationToken);
    Task<bool> CanWriteAsync(string key, Guid userId, CancellationToken cancellationToken);
}
