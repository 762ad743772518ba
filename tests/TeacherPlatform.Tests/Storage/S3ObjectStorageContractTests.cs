using TeacherPlatform.Tests.Infrastructure;
using System.Net;

namespace TeacherPlatform.Tests.Storage;

/// <summary>The contract against s3rver, which validates SigV4 (header and presigned) like S3, R2 and MinIO do.</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3ObjectStorageContractTests(S3rverFixture s3rver) : ObjectStorageContractTests
{
    protected override string? SkipReason => s3rver.SkipReason;

    protected override string SignatureParameter => "X-Amz-Signature";

    protected override Task<StorageTestHost> StartHostAsync() =>
        StorageTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "s3",
            ["Storage:S3:ServiceUrl"] = s3rver.Endpoint.ToString(),
            ["Storage:S3:Bucket"] = S3rverFixture.Bucket,
            ["Storage:S3:AccessKey"] = S3rverFixture.Credentials,
            ["Storage:S3:SecretKey"] = S3rverFixture.Credentials,
        });

    protected override async Task<Uri> CreateExpiredDownloadUrlAsync(string key)
    {
        // S3 checks expiry against its own clock: wait until the server itself says the URL has expired.
        var url = await Storage.CreateDownloadUrlAsync(key, null, TimeSpan.FromSeconds(1), null);
        using var http = new HttpClient();
        await Eventually.TrueAsync(async () =>
        {
            using var response = await http.GetAsync(url.Url);
            return response.StatusCode == HttpStatusCode.Forbidden;
        }, "the one-second presigned URL to expire");
        return url.Url;
    }

    protected override async Task AssertDeniedAsync(HttpResponseMessage response, Denial reason)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains(reason == Denial.Expired ? "Request has expired" : "SignatureDoesNotMatch", body);
    }

    [SkippableFact]
    public async Task Presigned_urls_use_the_endpoint_scheme_and_path_style()
    {
        SkipIfUnavailable();
        var url = await Storage.CreateUploadUrlAsync("a/b.pdf", "application/pdf", Lifetime, null);

        Assert.Equal(s3rver.Endpoint.Scheme, url.Url.Scheme);
        Assert.Equal(s3rver.Endpoint.Authority, url.Url.Authority);
        Assert.StartsWith($"/{S3rverFixture.Bucket}/a/b.pdf", url.Url.AbsolutePath);
        Assert.Equal("s3", Storage.Provider);
    }
}
