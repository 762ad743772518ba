using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using TeacherPlatform.Core.Storage.S3;
using TeacherPlatform.Core.Storage;
using TeacherPlatform.Tests.Infrastructure;
using TeacherPlatform.Tests.Storage;
using static TeacherPlatform.Tests.Projects.ProjectTestKit;

namespace TeacherPlatform.Tests.Projects;

/// <summary>
/// The whole teacher workflow over HTTP with a real 4-page PDF: create → PUT to upload_url → confirm → get → download →
/// stream (Range, If-None-Match) → annotations on several pages → W3C export → delete (file and annotations gone).
/// Runs once per storage implementation.
/// </summary>
public abstract class ProjectFlowTests
{
    protected abstract ApiFactory Factory { get; }

    /// <summary>Reaches upload/download URLs: the test server for local URLs, plain HTTP for S3.</summary>
    protected abstract HttpClient UrlClient { get; }

    protected abstract string? SkipReason { get; }

    [SkippableFact]
    public async Task Create_upload_confirm_get_download_stream_annotate_export_delete()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var teacher = await Factory.RegisterAsync("teacher");
        var student = await Factory.RegisterAsync("student");
        await LinkAsync(teacher, student);
        var pdf = Pdf(4, "Arabesque");

        // Create: pending, with a one-hour upload URL.
        var created = await CreateAsync(teacher, "Arabesque No. 1", "arabesque.pdf");
        var project = created.Body["project"]!;
        Assert.Equal("pending", project["status"]!.GetValue<string>());
        Assert.Null(project["page_count"]);
        Assert.Equal("owner", project["permission"]!.GetValue<string>());
        var uploadExpires = created.Body["upload_expires_at"]!.GetValue<DateTimeOffset>();
        Assert.InRange(uploadExpires - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(61));
        Assert.Equal("PUT", created.Body["upload_method"]!.GetValue<string>());

        // Confirming before the upload is a conflict; the pending project is listed for its owner only.
        await (await teacher.Client.PostJsonAsync($"/api/projects/{created.Id}/confirm", new { })).AssertProblemAsync(HttpStatusCode.Conflict, "conflict");
        var ownList = await (await teacher.Client.GetAsync("/api/projects")).ReadJsonAsync();
        Assert.Equal("pending", Assert.Single(ownList["items"]!.AsArray())!["status"]!.GetValue<string>());

        var put = await UploadAsync(UrlClient, created.UploadUrl, pdf);
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        // Confirm: the figures come from the file, not from the client's hints; twice is idempotent.
        var confirm = await teacher.Client.PostJsonAsync($"/api/projects/{created.Id}/confirm", new { file_size_bytes = 1, page_count = 99 });
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        var confirmed = await confirm.ReadJsonAsync();
        Assert.Equal("ready", confirmed["status"]!.GetValue<string>());
        Assert.Equal(4, confirmed["page_count"]!.GetValue<int>());
        Assert.Equal(pdf.Length, confirmed["file_size_bytes"]!.GetValue<long>());
        var again = await (await teacher.Client.PostAsync($"/api/projects/{created.Id}/confirm", null)).ReadJsonAsync();
        Assert.Equal(confirmed["confirmed_at"]!.GetValue<string>(), again["confirmed_at"]!.GetValue<string>());

        // Get: with a download URL that serves the exact bytes.
        await GrantAsync(teacher, created.Id, student, "view");
        var got = await (await student.Client.GetAsync($"/api/projects/{created.Id}")).ReadJsonAsync();
        Assert.Equal("view", got["permission"]!.GetValue<string>());
        Assert.Equal(4, got["page_count"]!.GetValue<int>());
        var download = await UrlClient.GetAsync(got["download_url"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(pdf, await download.Content.ReadAsByteArrayAsync());

        // Stream: whole file, one range (exact bytes), 304 on a matching ETag, 416 past the end.
        var whole = await student.Client.GetAsync($"/api/projects/{created.Id}/stream");
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("application/pdf", whole.Content.Headers.ContentType!.MediaType);
        Assert.Equal(pdf, await whole.Content.ReadAsByteArrayAsync());
        var etag = whole.Headers.ETag!;
        Assert.False(etag.IsWeak);
        Assert.Contains("bytes", whole.Headers.AcceptRanges);
        Assert.True(whole.Headers.CacheControl!.Private);
        Assert.Equal(TimeSpan.FromSeconds(300), whole.Headers.CacheControl.MaxAge);

        using (var ranged = new HttpRequestMessage(HttpMethod.Get, $"/api/projects/{created.Id}/stream"))
        {
            ranged.Headers.Range = new RangeHeaderValue(100, 1123);
            var partial = await student.Client.SendAsync(ranged);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal($"bytes 100-1123/{pdf.Length}", partial.Content.Headers.ContentRange!.ToString());
            Assert.Equal(pdf[100..1124], await partial.Content.ReadAsByteArrayAsync());
            Assert.Equal(etag, partial.Headers.ETag);
        }
        using (var firstByte = new HttpRequestMessage(HttpMethod.Get, $"/api/projects/{created.Id}/stream"))
        {
            // What PDF viewers send first to learn the size; some S3-compatible servers answer it with the whole object.
            firstByte.Headers.Range = new RangeHeaderValue(0, 0);
            var head = await student.Client.SendAsync(firstByte);
            Assert.Equal(HttpStatusCode.PartialContent, head.StatusCode);
            Assert.Equal($"bytes 0-0/{pdf.Length}", head.Content.Headers.ContentRange!.ToString());
            Assert.Equal(pdf[..1], await head.Content.ReadAsByteArrayAsync());
        }
        using (var suffix = new HttpRequestMessage(HttpMethod.Get, $"/api/projects/{created.Id}/stream"))
        {
            suffix.Headers.Range = new RangeHeaderValue(null, 10);
            var tail = await student.Client.SendAsync(suffix);
            Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
            Assert.Equal(pdf[^10..], await tail.Content.ReadAsByteArrayAsync());
        }
        using (var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/projects/{created.Id}/stream"))
        {
            conditional.Headers.IfNoneMatch.Add(etag);
            var notModified = await student.Client.SendAsync(conditional);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
            Assert.Equal(etag, notModified.Headers.ETag);
        }
        // Preconditions (RFC 9110): a client that names another version, or a date before the file's, gets 412.
        using (var otherVersion = new HttpRequestMessage(HttpMethod.Get, $"/api/projects/{created.Id}/stream"))
        {
            otherVersion.Headers.IfMatch.Add(new EntityTagHeaderValue("\"nope\""));
            await (await student.Client.SendAsync(otherVersion)).AssertProblemAsync(HttpStatusCode.PreconditionFailed, "precondition_failed");
        }
        using (var sameVersion = new HttpRequestMessage(HttpMethod.Get, $"/api/projects/{created.Id}/stream"))
        {
            sameVersion.Headers.IfMatch.Add(etag!);
            sameVersion.Headers.IfUnmodifiedSince = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero); // ignored when If-Match is present
            Assert.Equal(pdf, await (await student.Client.SendAsync(sameVersion)).Content.ReadAsByteArrayAsync());
        }
        using (var tooOld = new HttpRequestMessage(HttpMethod.Get, $"/api/projects/{created.Id}/stream"))
        {
            tooOld.Headers.IfUnmodifiedSince = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);
            await (await student.Client.SendAsync(tooOld)).AssertProblemAsync(HttpStatusCode.PreconditionFailed, "precondition_failed");
        }
        using (var beyond = new HttpRequestMessage(HttpMethod.Get, $"/api/projects/{created.Id}/stream"))
        {
            beyond.Headers.Range = new RangeHeaderValue(pdf.Length, null);
            var unsatisfiable = await student.Client.SendAsync(beyond);
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
            Assert.Equal($"bytes */{pdf.Length}", unsatisfiable.Content.Headers.ContentRange!.ToString());
        }

        // Annotations on several pages: the owner annotates, the viewer reads, filters by page.
        var highlight = await AnnotateAsync(teacher, Highlight(1, created.Id, "dolce espressivo"));
        var note = await AnnotateAsync(teacher, Note(2, created.Id));
        var drawing = await AnnotateAsync(teacher, Drawing(4, created.Id));
        var all = await (await student.Client.GetAsync($"/api/annotations?project_id={created.Id}")).ReadJsonAsync();
        Assert.Equal(3, all["total"]!.GetValue<int>());
        Assert.Equal([1, 2, 4], all["items"]!.AsArray().Select(i => i!["page_number"]!.GetValue<int>()));
        var page2 = await (await student.Client.GetAsync($"/api/annotations?project_id={created.Id}&page_number=2")).ReadJsonAsync();
        Assert.Equal(note.ToString(), Assert.Single(page2["items"]!.AsArray())!["id"]!.GetValue<string>());
        var one = await (await student.Client.GetAsync($"/api/annotations/{highlight}")).ReadJsonAsync();
        Assert.Equal("#ffcc00", one["content"]!["color"]!.GetValue<string>());
        Assert.Equal(0.5, one["content"]!["rects"]![0]!["width"]!.GetValue<double>());

        var patched = await teacher.Client.PatchJsonAsync($"/api/annotations/{note}", new { page_number = 3, content = new { x = 0.9, y = 0.1, text = "Breathe" } });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var patchedBody = await patched.ReadJsonAsync();
        Assert.Equal(3, patchedBody["page_number"]!.GetValue<int>());
        Assert.Equal("Breathe", patchedBody["content"]!["text"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.Client.DeleteAsync($"/api/annotations/{drawing}")).StatusCode);
        await (await student.Client.GetAsync($"/api/annotations/{drawing}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        drawing = await AnnotateAsync(teacher, Drawing(4, created.Id));

        // W3C export: JSON-LD collection, PDF page fragments, a TextQuoteSelector for the highlight's text.
        var export = await student.Client.GetAsync($"/api/projects/{created.Id}/annotations/export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("application/ld+json", export.Content.Headers.ContentType!.MediaType);
        var collection = JsonNode.Parse(await export.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("http://www.w3.org/ns/anno.jsonld", collection["@context"]!.GetValue<string>());
        Assert.Equal("AnnotationCollection", collection["type"]!.GetValue<string>());
        Assert.Equal(3, collection["total"]!.GetValue<int>());
        var items = collection["first"]!["items"]!.AsArray();
        Assert.All(items, i => Assert.Equal("Annotation", i!["type"]!.GetValue<string>()));
        var exportedHighlight = items.Single(i => i!["id"]!.GetValue<string>().EndsWith(highlight.ToString()))!;
        Assert.Equal("highlighting", exportedHighlight["motivation"]!.GetValue<string>());
        var selectors = exportedHighlight["target"]!["selector"]!.AsArray();
        Assert.All(selectors, s => Assert.Equal("FragmentSelector", s!["type"]!.GetValue<string>()));
        Assert.All(selectors, s => Assert.Equal("page=1", s!["value"]!.GetValue<string>()));
        Assert.Contains(selectors, s => s!["refinedBy"]!["type"]!.GetValue<string>() == "TextQuoteSelector"
                                        && s["refinedBy"]!["exact"]!.GetValue<string>() == "dolce espressivo");
        var exportedNote = items.Single(i => i!["id"]!.GetValue<string>().EndsWith(note.ToString()))!;
        Assert.Equal("page=3", exportedNote["target"]!["selector"]!["value"]!.GetValue<string>());
        Assert.Equal("Breathe", exportedNote["body"]!["value"]!.GetValue<string>());
        Assert.EndsWith($"/api/projects/{created.Id}/stream", exportedNote["target"]!["source"]!["id"]!.GetValue<string>());

        // Delete: rows, grants, annotations and the stored file are gone.
        var storage = Factory.Services.GetRequiredService<IObjectStorage>();
        var key = $"projects/{created.Id}/source.pdf";
        Assert.NotNull(await storage.HeadAsync(key));
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.Client.DeleteAsync($"/api/projects/{created.Id}")).StatusCode);
        Assert.Null(await storage.HeadAsync(key));
        Assert.Equal(0, await Factory.Services.GetRequiredService<StorageDeletionOutbox>().PendingCountAsync(CancellationToken.None));
        await (await teacher.Client.GetAsync($"/api/projects/{created.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await teacher.Client.GetAsync($"/api/annotations/{highlight}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await teacher.Client.GetAsync($"/api/annotations?project_id={created.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, (await teacher.Client.GetAsync($"/api/projects/{created.Id}/stream")).StatusCode);
        Assert.Equal(0, (await (await teacher.Client.GetAsync("/api/projects")).ReadJsonAsync())["total"]!.GetValue<int>());
    }
}

public sealed class LocalProjectFlowTests(ApiFactory factory) : ProjectFlowTests, IClassFixture<ApiFactory>
{
    protected override ApiFactory Factory => factory;
    protected override HttpClient UrlClient { get; } = factory.CreateClient();
    protected override string? SkipReason => null;
}

/// <summary>The same flow with Storage:Provider=s3 against s3rver (which validates SigV4), plus what only S3 needs checked at confirm.</summary>
[Collection(S3rverCollection.Name)]
public sealed class S3ProjectFlowTests(S3rverFixture s3rver) : ProjectFlowTests, IAsyncLifetime
{
    private ApiFactory? _factory;

    protected override ApiFactory Factory => _factory!;
    protected override HttpClient UrlClient { get; } = new();
    protected override string? SkipReason => s3rver.SkipReason;

    public Task InitializeAsync()
    {
        if (s3rver.SkipReason is null)
            _factory = new S3ApiFactory(s3rver, new Dictionary<string, string?> { ["Storage:MaxUploadBytes"] = "20000" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        UrlClient.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
    }

    [SkippableFact]
    public async Task Presigned_upload_url_is_s3_and_refuses_a_tampered_signature_and_an_oversized_file_fails_confirm()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var teacher = await Factory.RegisterAsync("teacher");
        var created = await CreateAsync(teacher);
        Assert.Equal(s3rver.Endpoint.Authority, created.UploadUrl.Authority);
        Assert.Contains("X-Amz-Signature=", created.UploadUrl.Query);

        var tampered = new Uri(created.UploadUrl.ToString().Replace("X-Amz-Signature=", "X-Amz-Signature=0"));
        var denied = await UploadAsync(UrlClient, tampered, Pdf(1));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);

        // S3 cannot enforce the size at PUT time: confirm does, and removes the object.
        var big = Pdf(1).Concat(new byte[30_000]).ToArray();
        Assert.True((await UploadAsync(UrlClient, created.UploadUrl, big)).IsSuccessStatusCode);
        await (await teacher.Client.PostJsonAsync($"/api/projects/{created.Id}/confirm", new { })).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Null(await Factory.Services.GetRequiredService<IObjectStorage>().HeadAsync($"projects/{created.Id}/source.pdf"));
        var still = await (await teacher.Client.GetAsync($"/api/projects/{created.Id}")).ReadJsonAsync();
        Assert.Equal("pending", still["status"]!.GetValue<string>());

        // The same URL takes a proper file afterwards and the project becomes ready.
        Assert.True((await UploadAsync(UrlClient, created.UploadUrl, Pdf(2))).IsSuccessStatusCode);
        var confirm = await teacher.Client.PostJsonAsync($"/api/projects/{created.Id}/confirm", new { });
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        Assert.Equal(2, (await confirm.ReadJsonAsync())["page_count"]!.GetValue<int>());
    }
}

/// <summary>The API configured with Storage:Provider=s3 against s3rver, exactly as an operator would set it.</summary>
public sealed class S3ApiFactory(S3rverFixture s3rver, IDictionary<string, string?>? extra = null) : ApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "s3",
            ["Storage:S3:ServiceUrl"] = s3rver.Endpoint.ToString(),
            ["Storage:S3:Bucket"] = S3rverFixture.Bucket,
            ["Storage:S3:AccessKey"] = S3rverFixture.Credentials,
            ["Storage:S3:SecretKey"] = S3rverFixture.Credentials,
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
    }
}
