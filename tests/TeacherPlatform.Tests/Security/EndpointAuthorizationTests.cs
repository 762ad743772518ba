using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TeacherPlatform.Core.Knowledge;
using TeacherPlatform.Core.Storage;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Security;

/// <summary>
/// Authorisation in one place: every mapped route either needs a signed-in user (the fallback policy, or a named role
/// policy) or is on the explicit anonymous list below; role policies answer with the contract's problem bodies; and the
/// signed-URL policy for knowledge files agrees with the knowledge service about who may manage a document.
/// </summary>
public sealed partial class EndpointAuthorizationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    /// <summary>The only routes an anonymous caller reaches. Adding one is a deliberate decision: add it here too.</summary>
    private static readonly HashSet<string> Anonymous =
    [
        "GET /",
        "GET /openapi/{documentName}.json",
        "GET /scalar/{documentName?}",
        "GET /scalar/scalar.js",
        "GET /scalar/scalar.aspnetcore.js",
        "GET /scalar/favicon.svg",
        "GET /metrics", // guarded by network and port instead
        "GET /api/health",
        "GET /api/health/live",
        "POST /api/auth/register",
        "POST /api/auth/login",
        "POST /api/auth/refresh",
        "GET /.well-known/jwks.json",
        "PUT /api/storage/{**key}",
        "GET /api/storage/{**key}",
    ];

    private IReadOnlyList<(string Method, RouteEndpoint Endpoint)> Routes()
    {
        _ = factory.Server; // builds the host, so every endpoint is mapped
        return factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => (m, e)))
            .ToList();
    }

    private static string Key(string method, RouteEndpoint endpoint) => $"{method} {endpoint.RoutePattern.RawText}";

    [Fact]
    public void Anonymous_routes_are_exactly_the_explicit_list()
    {
        var anonymous = Routes().Where(r => r.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .Select(r => Key(r.Method, r.Endpoint)).Where(k => !k.StartsWith("HEAD ", StringComparison.Ordinal)).ToHashSet();
        Assert.True(anonymous.SetEquals(Anonymous),
            $"not on the list: {string.Join(", ", anonymous.Except(Anonymous))}; listed but not anonymous: {string.Join(", ", Anonymous.Except(anonymous))}");
    }

    [Fact]
    public async Task Every_other_route_refuses_an_anonymous_caller_with_401()
    {
        var secured = Routes().Where(r => r.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null).ToList();
        Assert.True(secured.Count > 30, $"only {secured.Count} secured routes");
        var client = factory.CreateClient();
        var failures = new List<string>();
        foreach (var (method, endpoint) in secured)
        {
            var path = RouteParameter().Replace(endpoint.RoutePattern.RawText!, _ => Guid.NewGuid().ToString());
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{}", MediaTypeHeaderValue.Parse("application/json"));
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.Unauthorized || !body.Contains("\"code\":\"unauthorized\"", StringComparison.Ordinal))
                failures.Add($"{Key(method, endpoint)}: {(int)response.StatusCode} {body}");
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task Unknown_routes_stay_404_for_anonymous_callers()
    {
        await (await factory.CreateClient().GetAsync("/api/no-such-route")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Role_policies_answer_with_the_contract_problem_bodies()
    {
        var student = await factory.RegisterAsync("student");
        var teacher = await factory.RegisterAsync("teacher");
        var admin = await factory.AdminAsync();

        var create = await (await student.Client.PostJsonAsync("/api/projects", new { title = "T", filename = "a.pdf" }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        AssertBody(create, 403, "Forbidden", "Only teachers can create projects.");

        var invite = await (await admin.Client.PostJsonAsync("/api/relationships", new { student_id = student.Id }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        AssertBody(invite, 403, "Forbidden", "Only teachers can invite students.");

        var accept = await (await teacher.Client.PostAsync($"/api/relationships/{Guid.NewGuid()}/accept", null))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        AssertBody(accept, 404, "Invitation not found", null);
    }

    private static void AssertBody(System.Text.Json.Nodes.JsonObject problem, int status, string title, string? detail)
    {
        Assert.Equal($"https://httpstatuses.io/{status}", problem["type"]!.GetValue<string>());
        Assert.Equal(title, problem["title"]!.GetValue<string>());
        Assert.Equal(detail, problem["detail"]?.GetValue<string>());
    }

    /// <summary>
    /// The knowledge service lets an administrator manage any document, so a signed URL minted for the administrator
    /// must work too (the URL policy used to require the owner); someone who may not manage it stays refused.
    /// </summary>
    [Fact]
    public async Task Knowledge_file_urls_follow_the_service_rule_an_admin_may_manage_any_document()
    {
        var owner = await factory.RegisterAsync("teacher");
        var other = await factory.RegisterAsync("teacher");
        var admin = await factory.AdminAsync();
        var created = await owner.CreateAsync("Admin-managed notes", "text", "notes.txt");
        var id = Guid.Parse(created["document"]!["id"]!.GetValue<string>());

        // The service: the administrator may process the document (409: nothing uploaded yet), the other teacher may not see it.
        await (await admin.Client.PostAsync($"/api/knowledge/{id}/process", null)).AssertProblemAsync(HttpStatusCode.Conflict, "upload_missing");
        await (await other.Client.PostAsync($"/api/knowledge/{id}/process", null)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");

        var key = (await factory.Services.GetRequiredService<KnowledgeDocumentStore>().GetAsync(id, CancellationToken.None))!.StorageKey!;
        var storage = factory.Services.GetRequiredService<IObjectStorage>();
        async Task<HttpResponseMessage> PutAsUserAsync(Guid userId)
        {
            var url = await storage.CreateUploadUrlAsync(key, "text/plain", TimeSpan.FromMinutes(5), userId);
            return await factory.CreateClient().PutAsync(url.Url.PathAndQuery, new StringContent("Sonata form has three sections."));
        }

        using (var byAdmin = await PutAsUserAsync(admin.Id))
            Assert.True(byAdmin.StatusCode == HttpStatusCode.OK, await byAdmin.Content.ReadAsStringAsync());
        await (await PutAsUserAsync(other.Id)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        using (var byOwner = await PutAsUserAsync(owner.Id))
            Assert.True(byOwner.StatusCode == HttpStatusCode.OK, await byOwner.Content.ReadAsStringAsync());
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();
}
