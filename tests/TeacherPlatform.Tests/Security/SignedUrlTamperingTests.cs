using System.Net;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using TeacherPlatform.Tests.Infrastructure;
using static TeacherPlatform.Tests.Projects.ProjectTestKit;

namespace TeacherPlatform.Tests.Security;

/// <summary>
/// Signed storage URLs edited field by field: every change of op, key, exp, uid, name or sig, every encoding trick and
/// truncation is refused with a 403 problem (never a 500), and a revoked user's URL stays dead however it is edited.
/// </summary>
public sealed class SignedUrlTamperingTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private sealed record Shared(TestUser Owner, TestUser Student, Guid ProjectId, Uri DownloadUrl);

    private async Task<Shared> ShareAsync(byte[]? bytes = null, string uploadContentType = "application/pdf")
    {
        var owner = await factory.RegisterAsync("teacher");
        var student = await factory.RegisterAsync("student");
        await owner.LinkAsync(student);
        var created = await CreateAsync(owner, filename: "etude.pdf");
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(factory.CreateClient(), created.UploadUrl, bytes ?? Pdf(2), uploadContentType)).StatusCode);
        var confirm = await owner.Client.PostJsonAsync($"/api/projects/{created.Id}/confirm", new { });
        Assert.True(confirm.StatusCode == HttpStatusCode.OK, await confirm.Content.ReadAsStringAsync());
        await GrantAsync(owner, created.Id, student, "view");
        var project = await (await student.Client.GetAsync($"/api/projects/{created.Id}")).ReadJsonAsync();
        var url = new Uri(project["download_url"]!.GetValue<string>());
        return new Shared(owner, student, created.Id, url);
    }

    private static Dictionary<string, string> QueryOf(Uri url) =>
        QueryHelpers.ParseQuery(url.Query).ToDictionary(p => p.Key, p => p.Value.ToString());

    /// <summary>Rebuilds the URL with raw (already encoded) query parts in the given order.</summary>
    private static string Build(Uri url, IEnumerable<(string Key, string RawValue)> parts) =>
        url.AbsolutePath + "?" + string.Join("&", parts.Select(p => $"{p.Key}={p.RawValue}"));

    private static IEnumerable<(string, string)> Encoded(Dictionary<string, string> query) =>
        query.Select(p => (p.Key, Uri.EscapeDataString(p.Value)));

    [Fact]
    public async Task Reproducer_name_moved_into_uid_after_revocation_is_refused()
    {
        var shared = await ShareAsync();
        var anon = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anon.GetAsync(shared.DownloadUrl.PathAndQuery)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await shared.Owner.Client.DeleteAsync($"/api/projects/{shared.ProjectId}/access/{shared.Student.Id}")).StatusCode);
        await (await anon.GetAsync(shared.DownloadUrl.PathAndQuery)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        // The old attack: uid=<user>\n<name>, name dropped, same signature.
        var q = QueryOf(shared.DownloadUrl);
        var edited = Build(shared.DownloadUrl, [
            ("op", q["op"]), ("exp", q["exp"]), ("uid", Uri.EscapeDataString(q["uid"] + "\n" + q["name"])), ("sig", q["sig"])]);
        await (await anon.GetAsync(edited)).AssertProblemAsync(HttpStatusCode.Forbidden, "invalid_signature");
        // Dropping uid (and name) to look like a server URL.
        var serverLike = Build(shared.DownloadUrl, [("op", q["op"]), ("exp", q["exp"]), ("uid", ""), ("sig", q["sig"])]);
        await (await anon.GetAsync(serverLike)).AssertProblemAsync(HttpStatusCode.Forbidden, "invalid_signature");
        var noUid = Build(shared.DownloadUrl, [("op", q["op"]), ("exp", q["exp"]), ("name", Uri.EscapeDataString(q["name"])), ("sig", q["sig"])]);
        await (await anon.GetAsync(noUid)).AssertProblemAsync(HttpStatusCode.Forbidden, "invalid_signature");
    }

    [Fact]
    public async Task Every_field_edit_encoding_and_truncation_is_refused_with_a_problem()
    {
        var shared = await ShareAsync();
        var anon = factory.CreateClient();
        var q = QueryOf(shared.DownloadUrl);
        Assert.Equal(HttpStatusCode.OK, (await anon.GetAsync(shared.DownloadUrl.PathAndQuery)).StatusCode);

        var variants = new List<string>();
        string With(string key, string? rawValue)
        {
            var parts = Encoded(q).ToList();
            var index = parts.FindIndex(p => p.Item1 == key);
            if (rawValue is null) parts.RemoveAt(index);
            else parts[index] = (key, rawValue);
            return Build(shared.DownloadUrl, parts);
        }

        var exp = long.Parse(q["exp"]);
        var uid = q["uid"];
        var sig = q["sig"];
        foreach (var field in q.Keys) variants.Add(With(field, null));
        variants.AddRange([
            With("op", "put"), With("op", "GET"), With("op", "get%00"), With("op", ""),
            With("exp", (exp + 1).ToString()), With("exp", (exp - 1).ToString()), With("exp", "0" + exp), With("exp", "+" + exp),
            With("exp", exp + ".0"), With("exp", "99999999999999999999999"), With("exp", "-1"), With("exp", ""), With("exp", " " + exp),
            With("uid", uid.ToUpperInvariant()), With("uid", Guid.Parse(uid).ToString("N")), With("uid", "{" + uid + "}"),
            With("uid", Guid.NewGuid().ToString()), With("uid", uid + "%0A"), With("uid", "%20" + uid), With("uid", ""), With("uid", "not-a-guid"),
            With("name", Uri.EscapeDataString("other.pdf")), With("name", ""), With("name", Uri.EscapeDataString(q["name"] + "\n")),
            With("name", "%ED%A0%80"), With("name", Uri.EscapeDataString(q["name"]).ToUpperInvariant()),
            With("sig", ""), With("sig", sig[..^1]), With("sig", sig + "A"), With("sig", sig + "="), With("sig", sig + "%3D"),
            With("sig", "!!!!"), With("sig", new string('!', 43)), With("sig", "%FF%FE"), With("sig", sig.Replace('-', '+').Replace('_', '/')),
            With("sig", (sig[0] == 'A' ? "B" : "A") + sig[1..]), With("sig", sig[..42] + (sig[42] == 'A' ? "Q" : "A")),
            With("sig", Convert.ToBase64String(new byte[32])), With("sig", new string('A', 10_000)),
        ]);
        // Duplicated parameters (read joined by commas) and another key with the same signature.
        foreach (var field in q.Keys) variants.Add(shared.DownloadUrl.PathAndQuery + $"&{field}={Uri.EscapeDataString(q[field])}");
        variants.Add(shared.DownloadUrl.PathAndQuery.Replace("/source.pdf", "/source.pdf.meta"));
        variants.Add(shared.DownloadUrl.PathAndQuery.Replace("/api/storage/projects/", "/api/storage/Projects/"));
        variants.Add(shared.DownloadUrl.PathAndQuery.Replace($"/projects/{shared.ProjectId}", $"/projects/{Guid.NewGuid()}"));

        // Variants that happen to equal the original (e.g. a signature without '-' or '_' "translated") are not edits.
        var original = Build(shared.DownloadUrl, Encoded(q));
        foreach (var variant in variants.Distinct().Where(v => v != original))
        {
            using var response = await anon.GetAsync(variant);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.BadRequest,
                $"{variant} → {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("\"code\"", body);
        }
    }

    [Fact]
    public async Task An_html_upload_is_served_as_a_pdf_attachment_never_as_a_page()
    {
        // A "PDF" with a script after %%EOF, uploaded as text/html: confirm accepts the PDF, the download does not replay the type.
        var pdf = Pdf(1).Concat(Encoding.ASCII.GetBytes("\n<html><script>alert(document.domain)</script></html>")).ToArray();
        var shared = await ShareAsync(pdf, "text/html");
        using var response = await factory.CreateClient().GetAsync(shared.DownloadUrl.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("inline", disposition.DispositionType);
        Assert.Equal("etude.pdf", disposition.FileNameStar ?? disposition.FileName?.Trim('"'));
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Theory]
    [InlineData("<html><body><script>alert(1)</script></body></html>", "text/html", "text/plain")]
    [InlineData("%PDF-1.7\n%%EOF", "text/html", "application/pdf")]
    [InlineData("\u0000\u0001binary<script>", "image/svg+xml", "application/octet-stream")]
    public async Task Knowledge_files_are_served_with_the_sniffed_type_as_attachments(string content, string uploadedAs, string served)
    {
        // Server-side URLs are the only way to read a knowledge file back; the type comes from the bytes.
        var storage = factory.Services.GetRequiredService<TeacherPlatform.Core.Storage.IObjectStorage>();
        var key = $"knowledge/{Guid.NewGuid()}/page.html";
        await storage.PutAsync(key, new MemoryStream(Encoding.UTF8.GetBytes(content)), uploadedAs);
        var url = await storage.CreateDownloadUrlAsync(key, null, TimeSpan.FromMinutes(5), null);
        using var response = await factory.CreateClient().GetAsync(url.Url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(served, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal(served == "application/pdf" ? "inline" : "attachment", disposition.DispositionType);
        Assert.Equal("page.html", disposition.FileNameStar ?? disposition.FileName?.Trim('"'));
    }

    [Fact]
    public async Task Malformed_signatures_without_any_valid_url_are_problems_not_500s()
    {
        var anon = factory.CreateClient();
        foreach (var query in new[]
        {
            "op=get&exp=1&uid=&sig=!!!!", "op=get&exp=abc&uid=x&sig=%00", "sig=====", "op=get", "", "op=put&exp=99999999999&sig=" + new string('_', 43),
            "op=get&exp=1&uid=" + Guid.NewGuid() + "&sig=" + new string('-', 43),
        })
        {
            using var response = await anon.GetAsync($"/api/storage/projects/{Guid.NewGuid()}/source.pdf?{query}");
            await response.AssertProblemAsync(HttpStatusCode.Forbidden, "invalid_signature");
        }
    }
}
