using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using TeacherPlatform.Tests.Infrastructure;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace TeacherPlatform.Tests.Projects;

public sealed record CreatedProject(Guid Id, Uri UploadUrl, JsonObject Body);

/// <summary>Real PDFs (PdfPig's writer) and the create → upload → confirm steps the project tests share.</summary>
public static class ProjectTestKit
{
    public static byte[] Pdf(int pages, string title = "Etude")
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        for (var p = 1; p <= pages; p++)
        {
            var page = builder.AddPage(PageSize.A4);
            page.AddText($"{title} - page {p}", 14, new PdfPoint(72, 760), font);
            page.AddText("Legato, with a relaxed wrist; count the rests.", 11, new PdfPoint(72, 730), font);
            for (var staff = 0; staff < 5; staff++)
                page.DrawLine(new PdfPoint(72, 600 - staff * 8), new PdfPoint(520, 600 - staff * 8), 0.8);
        }
        return builder.Build();
    }

    public static async Task<CreatedProject> CreateAsync(TestUser owner, string title = "Clair de lune", string filename = "clair.pdf")
    {
        var response = await owner.Client.PostJsonAsync("/api/projects", new { title, description = "Debussy, Suite bergamasque", filename });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var body = await response.ReadJsonAsync();
        return new CreatedProject(Guid.Parse(body["project"]!["id"]!.GetValue<string>()), new Uri(body["upload_url"]!.GetValue<string>()), body);
    }

    /// <param name="http">A client that can reach the URL: the test server's for local URLs, a plain one for S3.</param>
    public static async Task<HttpResponseMessage> UploadAsync(HttpClient http, Uri url, byte[] bytes, string contentType = "application/pdf")
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await http.PutAsync(url, content);
    }

    /// <summary>Create, upload through the factory's own client (local provider) and confirm.</summary>
    public static async Task<Guid> CreateReadyAsync(ApiFactory factory, TestUser owner, int pages = 3, string title = "Clair de lune")
    {
        var created = await CreateAsync(owner, title);
        var put = await UploadAsync(factory.CreateClient(), created.UploadUrl, Pdf(pages, title));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var confirm = await owner.Client.PostJsonAsync($"/api/projects/{created.Id}/confirm", new { });
        Assert.True(confirm.StatusCode == HttpStatusCode.OK, await confirm.Content.ReadAsStringAsync());
        return created.Id;
    }

    public static async Task LinkAsync(TestUser teacher, TestUser student)
    {
        await teacher.LinkAsync(student);
    }

    public static async Task GrantAsync(TestUser granter, Guid projectId, TestUser grantee, string permission)
    {
        var response = await granter.Client.PostJsonAsync($"/api/projects/{projectId}/access", new { user_id = grantee.Id, permission });
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    public static object Highlight(int page, Guid projectId, string text = "dolce") => new
    {
        project_id = projectId, page_number = page, annotation_type = "highlight",
        content = new { rects = new[] { new { x = 0.1, y = 0.2, width = 0.5, height = 0.05 } }, color = "#FFCC00", text },
    };

    public static object Note(int page, Guid projectId, string text = "Watch the pedal here") => new
    {
        project_id = projectId, page_number = page, annotation_type = "note", content = new { x = 0.4, y = 0.6, text },
    };

    public static object Drawing(int page, Guid projectId) => new
    {
        project_id = projectId, page_number = page, annotation_type = "drawing",
        content = new { strokes = new[] { new { points = new[] { new[] { 0.1, 0.1 }, new[] { 0.2, 0.25 }, new[] { 0.3, 0.2 } }, color = "#ff0000", width = 0.004 } } },
    };

    public static async Task<Guid> AnnotateAsync(TestUser user, object annotation)
    {
        var response = await user.Client.PostJsonAsync("/api/annotations", annotation);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return Guid.Parse((await response.ReadJsonAsync())["id"]!.GetValue<string>());
    }
}
