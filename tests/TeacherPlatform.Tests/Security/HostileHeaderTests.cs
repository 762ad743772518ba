using System.Net;
using System.Net.Http.Headers;
using System.Text;
using TeacherPlatform.Tests.Infrastructure;
using static TeacherPlatform.Tests.Projects.ProjectTestKit;

namespace TeacherPlatform.Tests.Security;

/// <summary>
/// Requests that are well-formed HTTP but unusual in their headers or in text the JSON parser accepts: a client that
/// accepts only event streams or HTML, an unknown charset, a lone surrogate escape inside annotation content, a byte
/// range past the end of a signed download, a method a route does not serve. Each gets its 4xx as problem+json with a
/// code (found by a hostile-input sweep; they were empty 500s, a 500, or bodiless 4xx).
/// </summary>
public sealed class HostileHeaderTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static HttpRequestMessage Json(HttpMethod method, string url, string body, string contentType = "application/json", string? accept = null)
    {
        var message = new HttpRequestMessage(method, url) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (accept is not null) message.Headers.Accept.ParseAdd(accept);
        return message;
    }

    [Theory]
    [InlineData("text/event-stream")]
    [InlineData("text/html")]
    [InlineData("application/xml")]
    public async Task Errors_are_problem_json_whatever_the_client_accepts(string accept)
    {
        var student = await factory.RegisterAsync("student");

        // An SSE chat client's bad question, a missing token, an unknown route.
        using (var chat = await student.Client.SendAsync(Json(HttpMethod.Post, "/api/chat/query", """{"query":""}""", accept: accept)))
            await chat.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        using (var topK = await student.Client.SendAsync(Json(HttpMethod.Post, "/api/chat/query", """{"query":"legato","top_k":-1}""", accept: accept)))
            await topK.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        using (var wrongType = await student.Client.SendAsync(Json(HttpMethod.Post, "/api/chat/query", """{"query":5}""", accept: accept)))
            await wrongType.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        using var anonymous = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        anonymous.Headers.Accept.ParseAdd(accept);
        using (var me = await factory.CreateClient().SendAsync(anonymous))
            await me.AssertProblemAsync(HttpStatusCode.Unauthorized);

        using var unknown = new HttpRequestMessage(HttpMethod.Get, "/api/no-such-thing");
        unknown.Headers.Accept.ParseAdd(accept);
        using (var missing = await student.Client.SendAsync(unknown))
            await missing.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData("/api/health")]
    [InlineData("/api/health/live")]
    public async Task Health_answers_only_get_and_head(string url)
    {
        var client = factory.CreateClient();

        using (var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url)))
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch })
        {
            using var response = await client.SendAsync(new HttpRequestMessage(method, url));
            await response.AssertProblemAsync(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        }
    }

    [Theory]
    [InlineData("latin99")]
    [InlineData("\"x-unknown\"")]
    public async Task An_unknown_charset_is_415_and_a_known_one_still_reads(string charset)
    {
        var client = factory.CreateClient();
        const string body = """{"email":"nobody@example.com","password":"wrong-password-1"}""";

        using (var unknown = await client.SendAsync(Json(HttpMethod.Post, "/api/auth/login", body, $"application/json; charset={charset}")))
            await unknown.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        // A charset .NET decodes reaches the login as before: wrong credentials, not a media-type problem.
        using (var latin1 = await client.SendAsync(Json(HttpMethod.Post, "/api/auth/login", body, "application/json; charset=iso-8859-1")))
            await latin1.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_lone_surrogate_in_annotation_content_is_a_validation_error_and_nothing_is_written()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var project = await CreateReadyAsync(factory, teacher);
        var created = await (await teacher.Client.PostJsonAsync("/api/annotations", Note(1, project))).ReadJsonAsync();
        var before = await (await teacher.Client.GetAsync($"/api/annotations?project_id={project}")).Content.ReadAsStringAsync();

        string[] contents =
        [
            """{"x":0.1,"y":0.1,"text":"\ud800"}""",
            """{"x":0.1,"y":0.1,"text":"pedal \udc00 here"}""",
            """{"x":0.1,"y":0.1,"text":"ok","\udc00":1}""",
            """{"rects":[{"x":0.1,"y":0.1,"width":0.2,"height":0.1}],"color":"#ffee00","text":"\ud83c"}""",
        ];
        foreach (var content in contents)
        {
            var type = content.Contains("rects", StringComparison.Ordinal) ? "highlight" : "note";
            var post = $$"""{"project_id":"{{project}}","page_number":1,"annotation_type":"{{type}}","content":{{content}}}""";
            using (var response = await teacher.Client.SendAsync(Json(HttpMethod.Post, "/api/annotations", post)))
                await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
            using (var patch = await teacher.Client.SendAsync(Json(HttpMethod.Patch, $"/api/annotations/{created["id"]}", $$"""{"content":{{content}}}""")))
                await patch.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        }

        var after = await (await teacher.Client.GetAsync($"/api/annotations?project_id={project}")).Content.ReadAsStringAsync();
        Assert.Equal(before, after);
    }

    [Theory]
    [InlineData("bytes=999999999-")]
    [InlineData("bytes=-0")]
    public async Task A_range_past_the_end_of_a_signed_download_is_416_problem_json_with_the_size(string range)
    {
        var teacher = await factory.RegisterAsync("teacher");
        var project = await CreateReadyAsync(factory, teacher);
        var url = (await (await teacher.Client.GetAsync($"/api/projects/{project}")).ReadJsonAsync())["download_url"]!.GetValue<string>();
        using var full = await factory.CreateClient().GetAsync(url);
        var size = (await full.Content.ReadAsByteArrayAsync()).Length;

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Range", range);
        using var response = await factory.CreateClient().SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.RequestedRangeNotSatisfiable, "range_not_satisfiable");
        Assert.Equal($"bytes */{size}", response.Content.Headers.ContentRange?.ToString());

        // A satisfiable range still gets its bytes.
        using var partial = new HttpRequestMessage(HttpMethod.Get, url);
        partial.Headers.Range = new RangeHeaderValue(0, 9);
        using var ok = await factory.CreateClient().SendAsync(partial);
        Assert.Equal(HttpStatusCode.PartialContent, ok.StatusCode);
        Assert.Equal(10, (await ok.Content.ReadAsByteArrayAsync()).Length);
    }
}
