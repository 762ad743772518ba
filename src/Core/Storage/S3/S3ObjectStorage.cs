using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace TeacherPlatform.Core.Storage.S3;

/// <summary>
/// Any S3-compatible service (AWS S3, Cloudflare R2, MinIO) through AWSSDK.S3. Clients move bytes with presigned
/// SigV4 URLs; the server only inspects, streams and deletes.
/// </summary>
public sealed class S3ObjectStorage : IObjectStorage, IDisposable
{
    private const string ReadinessProbeKey = "health/readiness-probe";
    private static readonly TimeSpan ReadinessTimeout = TimeSpan.FromSeconds(3);

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly Protocol _urlProtocol;
    private readonly TimeProvider _timeProvider;

    public S3ObjectStorage(IOptions<StorageOptions> options, TimeProvider timeProvider)
    {
        var s3 = options.Value.S3;
        if (string.IsNullOrWhiteSpace(s3.Bucket))
        {
            throw new InvalidOperationException("Storage:S3:Bucket is required for the s3 provider.");
        }

        _bucket = s3.Bucket;
        _timeProvider = timeProvider;
        _client = CreateClient(s3);
        // Presigned URLs default to https; a plain-http endpoint (MinIO, a test server) needs http URLs.
        _urlProtocol = s3.ServiceUrl is { Length: > 0 } url && new Uri(url).Scheme == Uri.UriSchemeHttp ? Protocol.HTTP : Protocol.HTTPS;
    }

    public string Provider => "s3";

    public Task<PresignedUrl> CreateUploadUrlAsync(string key, string contentType, TimeSpan lifetime, Guid? userId, CancellationToken cancellationToken = default) =>
        PresignAsync(key, HttpVerb.PUT, lifetime, request => request.ContentType = contentType);

    public Task<PresignedUrl> CreateDownloadUrlAsync(string key, string? downloadFileName, TimeSpan lifetime, Guid? userId, CancellationToken cancellationToken = default) =>
        PresignAsync(key, HttpVerb.GET, lifetime, request =>
        {
            if (!string.IsNullOrEmpty(downloadFileName))
            {
                request.ResponseHeaderOverrides.ContentDisposition = AttachmentDisposition(downloadFileName);
            }

            // Projects are verified PDFs: never replay the uploader's Content-Type.
            if (key.StartsWith("projects/", StringComparison.Ordinal))
            {
                request.ResponseHeaderOverrides.ContentType = "application/pdf";
            }
        });

    public async Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await _client.GetObjectMetadataAsync(_bucket, ObjectKey.Validate(key), cancellationToken);
            return new ObjectInfo(key, response.ContentLength, response.ETag,
                new DateTimeOffset(DateTime.SpecifyKind(response.LastModified ?? DateTime.UnixEpoch, DateTimeKind.Utc)),
                response.Headers.ContentType);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is 0)
        {
            return Stream.Null;
        }

        var request = new GetObjectRequest { BucketName = _bucket, Key = ObjectKey.Validate(key) };
        if (length is { } count)
        {
            request.ByteRange = new ByteRange(offset, offset + count - 1);
        }
        else if (offset > 0)
        {
            request.ByteRange = new ByteRange($"bytes={offset}-");
        }

        try
        {
            // The response stream is the HTTP body itself: disposing it releases the connection.
            var response = await _client.GetObjectAsync(request, cancellationToken);
            // A server may ignore the range and send the whole object (s3rver does for bytes=0-0): never hand back more
            // or other bytes than were asked for.
            if (request.ByteRange is null) return response.ResponseStream;
            var start = ContentRangeStart(response.ContentRange) ?? 0;
            var exact = start == offset && (length is null || response.ContentLength == length);
            return exact ? response.ResponseStream : new ObjectSliceStream(response.ResponseStream, Math.Max(0, offset - start), length);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"Object '{key}' does not exist.", key, ex);
        }
    }

    /// <summary>The first byte a "Content-Range: bytes a-b/n" answer starts at, or null without one.</summary>
    private static long? ContentRangeStart(string? contentRange)
    {
        if (string.IsNullOrEmpty(contentRange)) return null;
        var value = contentRange.StartsWith("bytes ", StringComparison.OrdinalIgnoreCase) ? contentRange[6..] : contentRange;
        var dash = value.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && long.TryParse(value.AsSpan(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var start)
            ? start : null;
    }

    public async Task PutAsync(string key, Stream content, string contentType, CancellationToken cancellationToken = default)
    {
        ObjectKey.Validate(key);
        // Without chunked (aws-chunked) signing the SDK must know the length up front; R2 rejects chunked uploads.
        // A forward-only stream is therefore spooled to a temp file, never to memory.
        await using var spool = content.CanSeek ? null : await SpoolAsync(content, cancellationToken);
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = key,
            InputStream = spool ?? content,
            ContentType = contentType,
            UseChunkEncoding = false,
            AutoCloseStream = false,
        };
        await _client.PutObjectAsync(request, cancellationToken);
    }

    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        // S3 answers 204 whether or not the key existed; HEAD first to report whether something was removed.
        var existed = await HeadAsync(key, cancellationToken) is not null;
        await _client.DeleteObjectAsync(_bucket, key, cancellationToken);
        return existed;
    }

    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadinessTimeout);
        try
        {
            // GET of an absent key: NoSuchKey proves endpoint, credentials and bucket in one cheap call, and tells a
            // missing bucket (NoSuchBucket) apart, which HEAD cannot. (Bucket-level calls such as ListObjectsV2 are
            // signed over "/bucket/", which s3rver canonicalises differently.)
            using var response = await _client.GetObjectAsync(_bucket, ReadinessProbeKey, timeout.Token);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchKey")
        {
            return true;
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or OperationCanceledException
                                   && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task<PresignedUrl> PresignAsync(string key, HttpVerb verb, TimeSpan lifetime, Action<GetPreSignedUrlRequest> configure)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var expiresAt = _timeProvider.GetUtcNow() + lifetime;
        var request = new GetPreSignedUrlRequest
        {
            BucketName = _bucket,
            Key = ObjectKey.Validate(key),
            Verb = verb,
            Expires = expiresAt.UtcDateTime,
            Protocol = _urlProtocol,
        };
        configure(request);
        var url = await _client.GetPreSignedURLAsync(request);
        return new PresignedUrl(new Uri(url), expiresAt);
    }

    /// <summary>
    /// <c>filename*</c> (RFC 6266) only when the name needs it: its <c>'</c> and <c>*</c> are where S3-compatible
    /// servers disagree on SigV4 query canonicalisation (s3rver does), so plain names avoid that risk entirely.
    /// </summary>
    private static string AttachmentDisposition(string fileName)
    {
        var disposition = new ContentDispositionHeaderValue("attachment");
        if (fileName.All(c => c is >= ' ' and <= '~'))
        {
            disposition.FileName = HeaderUtilities.EscapeAsQuotedString(fileName).ToString();
        }
        else
        {
            disposition.SetHttpFileName(fileName);
        }

        return disposition.ToString();
    }

    private static AmazonS3Client CreateClient(S3StorageOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = options.Region,
            // R2/MinIO and older S3-compatible servers reject the SDK's default trailing checksums.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }

        return string.IsNullOrWhiteSpace(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    private static async Task<FileStream> SpoolAsync(Stream content, CancellationToken cancellationToken)
    {
        var spool = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        try
        {
            await content.CopyToAsync(spool, cancellationToken);
            spool.Position = 0;
            return spool;
        }
        catch
        {
            await spool.DisposeAsync();
            throw;
        }
    }
}
