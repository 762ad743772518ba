using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;
using TeacherPlatform.Edge.Proxy;

namespace TeacherPlatform.Edge.Streaming;

/// <summary>Where a cache miss is filled from. The object must be exactly the version named by its ETag.</summary>
public interface IProjectOrigin
{
    Task FetchAsync(ProjectObject obj, string authorization, Stream destination, CancellationToken ct);
}

/// <summary>The API's own stream (local storage provider), with the requesting user's token.</summary>
public sealed class ApiOrigin(UpstreamClient upstream) : IProjectOrigin
{
    public async Task FetchAsync(ProjectObject obj, string authorization, Stream destination, CancellationToken ct)
    {
        using var response = await upstream.SendAsync(baseUrl =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"{baseUrl}/api/projects/{obj.ProjectId:D}/stream");
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            return request;
        }, ct);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new OriginException($"The API answered {(int)response.StatusCode} to the cache fill.");
        var etag = response.Headers.TryGetValues("ETag", out var e) ? e.FirstOrDefault() : null;
        if (etag != obj.ETag) throw new OriginException("The file changed while it was being cached.");
        await response.Content.CopyToAsync(destination, ct);
    }
}

/// <summary>The object store directly (S3, R2, MinIO), conditional on the ETag the API reported.</summary>
public sealed class S3Origin : IProjectOrigin, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;

    public S3Origin(IOptions<EdgeOptions> options)
    {
        var s3 = options.Value.Storage.S3;
        if (string.IsNullOrWhiteSpace(s3.Bucket)) throw new InvalidOperationException("Edge:Storage:S3:Bucket is required for the S3 provider.");
        _bucket = s3.Bucket;
        var config = new AmazonS3Config
        {
            ForcePathStyle = s3.ForcePathStyle,
            AuthenticationRegion = s3.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (!string.IsNullOrWhiteSpace(s3.ServiceUrl)) config.ServiceURL = s3.ServiceUrl;
        else config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(s3.Region);
        _client = string.IsNullOrWhiteSpace(s3.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(s3.AccessKey, s3.SecretKey), config);
    }

    /// <summary>The API's storage key of a project's PDF.</summary>
    public static string KeyFor(Guid projectId) => $"projects/{projectId:D}/source.pdf";

    public async Task FetchAsync(ProjectObject obj, string authorization, Stream destination, CancellationToken ct)
    {
        try
        {
            using var response = await _client.GetObjectAsync(new GetObjectRequest
            {
                BucketName = _bucket, Key = KeyFor(obj.ProjectId), EtagToMatch = obj.ETag,
            }, ct);
            await response.ResponseStream.CopyToAsync(destination, ct);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
        {
            throw new OriginException($"The object store has no matching version ({(int)ex.StatusCode}).");
        }
    }

    public void Dispose() => _client.Dispose();
}

public sealed class OriginException(string message) : Exception(message);
