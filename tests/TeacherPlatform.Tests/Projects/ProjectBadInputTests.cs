using System.Net;
using System.Text;
using TeacherPlatform.Core.Storage;
using TeacherPlatform.Tests.Infrastructure;
using static TeacherPlatform.Tests.Projects.ProjectTestKit;

namespace TeacherPlatform.Tests.Projects;

/// <summary>Bad uploads and bad annotations: each a 4xx problem, never a 500, never partial state.</summary>
public sealed class ProjectBadInputTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0];

    private async Task AssertStillPendingAsync(TestUser owner, Guid id)
    {
        var project = await (await owner.Client.GetAsync($"/api/projects/{id}")).ReadJsonAsync();
        Assert.Equal("pending", project["status"]!.GetValue<string>());
        Assert.Null(project["page_count"]);
        Assert.Null(project["download_url"]);
        await (await owner.Client.PostJsonAsync("/api/annotations", Note(1, id))).AssertProblemAsync(HttpStatusCode.Conflict, "conflict");
    }

    [Theory]
    [InlineData("png", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type")]
    [InlineData("text", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type")]
    [InlineData("tiny", HttpStatusCode.UnsupportedMediaType, "unsupported_media_type")]
    [InlineData("truncated", HttpStatusCode.UnprocessableEntity, "corrupt_pdf")]
    [InlineData("header-only", HttpStatusCode.UnprocessableEntity, "corrupt_pdf")]
    [InlineData("garbage-body", HttpStatusCode.UnprocessableEntity, "corrupt_pdf")]
    public async Task Confirm_refuses_what_is_not_a_readable_pdf_and_the_project_stays_pending(string kind, HttpStatusCode status, string code)
    {
        var teacher = await factory.RegisterAsync("teacher");
        var pdf = Pdf(3);
        var bytes = kind switch
        {
            "png" => Png,
            "text" => Encoding.UTF8.GetBytes("These are my practice notes, saved as notes.pdf by mistake.\n"),
            "tiny" => "%PD"u8.ToArray(),
            "truncated" => pdf[..(pdf.Length / 2)],
            "header-only" => "%PDF-1.7\n"u8.ToArray(),
            _ => [.. "%PDF-1.4\n"u8.ToArray(), .. Enumerable.Range(0, 4000).Select(i => (byte)(i * 31 % 251))],
        };
        var created = await CreateAsync(teacher, filename: "notes.pdf");
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(factory.CreateClient(), created.UploadUrl, bytes)).StatusCode);

        await (await teacher.Client.PostJsonAsync($"/api/projects/{created.Id}/confirm", new { page_count = 3 })).AssertProblemAsync(status, code);
        await AssertStillPendingAsync(teacher, created.Id);

        // Nothing is stuck: a real PDF through the same URL confirms.
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(factory.CreateClient(), created.UploadUrl, pdf)).StatusCode);
        var confirmed = await (await teacher.Client.PostJsonAsync($"/api/projects/{created.Id}/confirm", new { })).ReadJsonAsync();
        Assert.Equal(3, confirmed["page_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Confirm_refuses_a_pdf_that_inflates_past_the_extraction_limit_and_the_project_stays_pending()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var created = await CreateAsync(teacher, filename: "bomb.pdf");
        // About 1 MB on the wire, 1 GiB once its content stream is inflated (the limit is 256 MB).
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(factory.CreateClient(), created.UploadUrl, HostileInputs.FlateBombPdf(1L << 30))).StatusCode);

        var problem = await (await teacher.Client.PostJsonAsync($"/api/projects/{created.Id}/confirm", new { }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "resource_limits_exceeded");
        Assert.Contains("256 MB", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await AssertStillPendingAsync(teacher, created.Id);
    }

    [Fact]
    public async Task Confirm_refuses_a_pdf_with_more_pages_than_the_limit()
    {
        await using var limited = ApiFactory.With(new Dictionary<string, string?> { ["Ingestion:Limits:MaxPages"] = "2" });
        var teacher = await limited.RegisterAsync("teacher");
        var created = await CreateAsync(teacher, filename: "long.pdf");
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(limited.CreateClient(), created.UploadUrl, Pdf(3))).StatusCode);

        var problem = await (await teacher.Client.PostJsonAsync($"/api/projects/{created.Id}/confirm", new { }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "resource_limits_exceeded");
        Assert.Contains("3 pages", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(limited.CreateClient(), created.UploadUrl, Pdf(2))).StatusCode);
        var confirmed = await (await teacher.Client.PostJsonAsync($"/api/projects/{created.Id}/confirm", new { })).ReadJsonAsync();
        Assert.Equal(2, confirmed["page_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Create_validates_and_only_teachers_create()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var student = await factory.RegisterAsync("student");
        await (await student.Client.PostJsonAsync("/api/projects", new { title = "Mine", filename = "a.pdf" })).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var problem = await (await teacher.Client.PostJsonAsync("/api/projects", new { description = new string('x', 5000), filename = "../../etc/passwd" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotNull(problem["errors"]!["title"]);
        Assert.NotNull(problem["errors"]!["filename"]);
        Assert.NotNull(problem["errors"]!["description"]);
        await (await teacher.Client.PostRawAsync("/api/projects", "{\"title\": 5")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        // Names others see must show something and cannot hide or reverse text.
        foreach (var title in new[] { "\u202e", "\u200b\u2060", "Etude\u0001", "Nocturne\u202e" })
            Assert.NotNull((await (await teacher.Client.PostJsonAsync("/api/projects", new { title, filename = "a.pdf" }))
                .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed"))["errors"]!["title"]);
        Assert.Equal(HttpStatusCode.Created, (await teacher.Client.PostJsonAsync("/api/projects", new { title = "Étude \u05E9\u05DC\u05D5\u05DD Op. 10", filename = "a.pdf" })).StatusCode);
        await (await teacher.Client.GetAsync("/api/projects?page_size=1000")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.PatchJsonAsync($"/api/projects/{Guid.NewGuid()}", new { title = "x" })).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(1, (await (await teacher.Client.GetAsync("/api/projects")).ReadJsonAsync())["total"]!.GetValue<int>());
    }

    public static TheoryData<string, string> BadAnnotations => new()
    {
        { "page 0", """{"page_number":0,"annotation_type":"note","content":{"x":0.1,"y":0.1,"text":"a"}}""" },
        { "past the last page", """{"page_number":4,"annotation_type":"note","content":{"x":0.1,"y":0.1,"text":"a"}}""" },
        { "no page", """{"annotation_type":"note","content":{"x":0.1,"y":0.1,"text":"a"}}""" },
        { "x above 1", """{"page_number":1,"annotation_type":"note","content":{"x":1.5,"y":0.1,"text":"a"}}""" },
        { "negative y", """{"page_number":1,"annotation_type":"note","content":{"x":0.5,"y":-0.1,"text":"a"}}""" },
        { "x as a string", """{"page_number":1,"annotation_type":"note","content":{"x":"0.5","y":0.1,"text":"a"}}""" },
        { "huge exponent", """{"page_number":1,"annotation_type":"note","content":{"x":1e400,"y":0.1,"text":"a"}}""" },
        { "empty note", """{"page_number":1,"annotation_type":"note","content":{"x":0.5,"y":0.1,"text":" "}}""" },
        { "unknown type", """{"page_number":1,"annotation_type":"sticker","content":{"x":0.5,"y":0.1}}""" },
        { "no type", """{"page_number":1,"content":{"x":0.5,"y":0.1,"text":"a"}}""" },
        { "content not an object", """{"page_number":1,"annotation_type":"note","content":[1,2]}""" },
        { "no content", """{"page_number":1,"annotation_type":"note"}""" },
        { "unknown field", """{"page_number":1,"annotation_type":"note","content":{"x":0.5,"y":0.1,"text":"a","script":"alert(1)"}}""" },
        { "rect leaves the page", """{"page_number":1,"annotation_type":"highlight","content":{"rects":[{"x":0.8,"y":0.1,"width":0.5,"height":0.1}],"color":"#ff0000"}}""" },
        { "zero-width rect", """{"page_number":1,"annotation_type":"highlight","content":{"rects":[{"x":0.1,"y":0.1,"width":0,"height":0.1}],"color":"#ff0000"}}""" },
        { "no rects", """{"page_number":1,"annotation_type":"highlight","content":{"rects":[],"color":"#ff0000"}}""" },
        { "named colour", """{"page_number":1,"annotation_type":"highlight","content":{"rects":[{"x":0.1,"y":0.1,"width":0.2,"height":0.1}],"color":"red"}}""" },
        { "short colour", """{"page_number":1,"annotation_type":"highlight","content":{"rects":[{"x":0.1,"y":0.1,"width":0.2,"height":0.1}],"color":"#fff"}}""" },
        { "point outside", """{"page_number":1,"annotation_type":"drawing","content":{"strokes":[{"points":[[0.1,0.1],[1.2,0.3]],"color":"#000000","width":0.01}]}}""" },
        { "point with 3 numbers", """{"page_number":1,"annotation_type":"drawing","content":{"strokes":[{"points":[[0.1,0.1,0.2]],"color":"#000000","width":0.01}]}}""" },
        { "zero stroke width", """{"page_number":1,"annotation_type":"drawing","content":{"strokes":[{"points":[[0.1,0.1]],"color":"#000000","width":0}]}}""" },
        { "no strokes", """{"page_number":1,"annotation_type":"drawing","content":{"strokes":[]}}""" },
        { "malformed json", """{"page_number":1,"annotation_type":"note","content":{"x":0.1""" },
        { "page as text", """{"page_number":"one","annotation_type":"note","content":{"x":0.1,"y":0.1,"text":"a"}}""" },
    };

    [Theory]
    [MemberData(nameof(BadAnnotations))]
    public async Task Bad_annotations_are_400_and_store_nothing(string why, string json)
    {
        var teacher = await factory.RegisterAsync("teacher");
        var id = await CreateReadyAsync(factory, teacher, pages: 3);
        var body = json.Insert(1, $"\"project_id\":\"{id}\",");
        var response = await teacher.Client.PostRawAsync("/api/annotations", body);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(0, (await (await teacher.Client.GetAsync($"/api/annotations?project_id={id}")).ReadJsonAsync())["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Oversized_and_too_many_are_refused_and_patch_validates_too()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var id = await CreateReadyAsync(factory, teacher, pages: 2);

        var longText = new { project_id = id, page_number = 1, annotation_type = "note", content = new { x = 0.1, y = 0.1, text = new string('a', 5001) } };
        await (await teacher.Client.PostJsonAsync("/api/annotations", longText)).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var manyRects = Enumerable.Range(0, 201).Select(_ => new { x = 0.1, y = 0.1, width = 0.1, height = 0.1 }).ToArray();
        await (await teacher.Client.PostJsonAsync("/api/annotations", new { project_id = id, page_number = 1, annotation_type = "highlight", content = new { rects = manyRects, color = "#00ff00" } }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var manyPoints = Enumerable.Range(0, 10_001).Select(i => new[] { i % 100 / 100.0, 0.5 }).ToArray();
        await (await teacher.Client.PostJsonAsync("/api/annotations", new { project_id = id, page_number = 1, annotation_type = "drawing", content = new { strokes = new[] { new { points = manyPoints, color = "#000000", width = 0.01 } } } }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        // Over the 128 KiB content limit (under Kestrel's 1 MiB body limit, which the in-memory test server does not apply).
        var bloated = new { project_id = id, page_number = 1, annotation_type = "highlight", content = new { rects = new[] { new { x = 0.1, y = 0.1, width = 0.1, height = 0.1 } }, color = "#00ff00", text = new string('b', 140_000) } };
        await (await teacher.Client.PostJsonAsync("/api/annotations", bloated)).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.PostJsonAsync("/api/annotations", Note(1, Guid.NewGuid()))).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await teacher.Client.GetAsync("/api/annotations")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.GetAsync($"/api/annotations?project_id={id}&page_number=0")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        var note = await AnnotateAsync(teacher, Note(1, id));
        await (await teacher.Client.PatchJsonAsync($"/api/annotations/{note}", new { page_number = 3 })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.PatchJsonAsync($"/api/annotations/{note}", new { annotation_type = "drawing" })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.PatchJsonAsync($"/api/annotations/{note}", new { content = new { x = 2, y = 0.1, text = "a" } })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var unchanged = await (await teacher.Client.GetAsync($"/api/annotations/{note}")).ReadJsonAsync();
        Assert.Equal(1, unchanged["page_number"]!.GetValue<int>());
        Assert.Equal(0.4, unchanged["content"]!["x"]!.GetValue<double>());
        Assert.Equal(1, (await (await teacher.Client.GetAsync($"/api/annotations?project_id={id}")).ReadJsonAsync())["total"]!.GetValue<int>());
    }
}

/// <summary>The size limit (Storage:MaxUploadBytes): refused at the local upload URL, and re-checked at confirm.</summary>
public sealed class ProjectUploadLimitTests
{
    [Fact]
    public async Task Oversized_upload_is_413_at_put_and_at_confirm_and_leaves_no_object()
    {
        await using var factory = ApiFactory.With(new Dictionary<string, string?> { ["Storage:MaxUploadBytes"] = "20000" });
        var teacher = await factory.RegisterAsync("teacher");
        var created = await CreateAsync(teacher);
        var big = Pdf(2).Concat(new byte[25_000]).ToArray();

        await (await UploadAsync(factory.CreateClient(), created.UploadUrl, big)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await (await teacher.Client.PostJsonAsync($"/api/projects/{created.Id}/confirm", new { })).AssertProblemAsync(HttpStatusCode.Conflict, "conflict");

        // A file that got into storage some other way (or an S3 PUT, which cannot be limited) is refused at confirm and removed.
        var storage = factory.Services.GetRequiredService<IObjectStorage>();
        var key = $"projects/{created.Id}/source.pdf";
        await storage.PutAsync(key, new MemoryStream(big), "application/pdf");
        await (await teacher.Client.PostJsonAsync($"/api/projects/{created.Id}/confirm", new { })).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Null(await storage.HeadAsync(key));
        var project = await (await teacher.Client.GetAsync($"/api/projects/{created.Id}")).ReadJsonAsync();
        Assert.Equal("pending", project["status"]!.GetValue<string>());
    }
}
