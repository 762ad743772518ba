using System.Net;
using System.Net.Http.Headers;
using TeacherPlatform.Edge.Infrastructure;
using TeacherPlatform.Tests.Projects;
using TeacherPlatform.Tests.Storage;

namespace TeacherPlatform.Tests.Edge;

/// <summary>S3 mode: the API and the edge share the object store (s3rver, which validates SigV4); misses skip the API's stream.</summary>
[Collection(S3rverCollection.Name)]
public sealed class EdgeS3Tests(S3rverFixture s3rver)
{
    [SkippableFact]
    public async Task Misses_are_filled_from_the_object_store_directly_and_ranges_match()
    {
        Skip.If(s3rver.SkipReason is not null, s3rver.SkipReason);
        var s3 = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "s3",
            ["Storage:S3:ServiceUrl"] = s3rver.Endpoint.ToString(),
            ["Storage:S3:Bucket"] = S3rverFixture.Bucket,
            ["Storage:S3:AccessKey"] = S3rverFixture.Credentials,
            ["Storage:S3:SecretKey"] = S3rverFixture.Credentials,
        };
        await using var api = RunningApi.Start(s3);
        await using var edge = await RunningEdge.StartAsync([api.BaseUrl], new Dictionary<string, string?>
        {
            ["Edge:Storage:Provider"] = "S3",
            ["Edge:Storage:S3:ServiceUrl"] = s3rver.Endpoint.ToString(),
            ["Edge:Storage:S3:Bucket"] = S3rverFixture.Bucket,
            ["Edge:Storage:S3:AccessKey"] = S3rverFixture.Credentials,
            ["Edge:Storage:S3:SecretKey"] = S3rverFixture.Credentials,
        });
        var teacher = await EdgeFlows.RegisterAsync(edge);
        var pdf = ProjectTestKit.Pdf(6);
        var id = await EdgeFlows.CreateReadyAsync(edge, teacher, pdf, s3: true);

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/projects/{id}/stream");
            request.Headers.Range = new RangeHeaderValue(i * 100, i * 100 + 49);
            using var response = await teacher.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            return (i, Bytes: await response.Content.ReadAsByteArrayAsync());
        }));
        foreach (var (i, bytes) in concurrent) Assert.Equal(pdf.AsSpan(i * 100, 50).ToArray(), bytes);
        Assert.Equal(pdf, await teacher.Client.GetByteArrayAsync($"/api/projects/{id}/stream"));

        Assert.Equal(1, edge.Get<EdgeMetrics>().OriginFetchCount);
        // Only HEAD access checks reached the API's stream; the bytes came from S3.
        Assert.Equal(0, api.Log.Count(r => r.Path.EndsWith("/stream", StringComparison.Ordinal) && r.Method != "HEAD"));
    }
}
