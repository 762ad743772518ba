using System.Net;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Platform;

public sealed class PlatformTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Health_reports_each_dependency()
    {
        var admin = await factory.AdminAsync();
        var response = await admin.Client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJsonAsync();
        Assert.Equal("healthy", body["status"]!.GetValue<string>());
        var checks = body["checks"]!.AsObject();
        Assert.Equal("healthy", checks["database"]!["status"]!.GetValue<string>());
        Assert.Equal(ApiFactory.IsPostgres ? "postgres" : "sqlite", checks["database"]!["description"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().GetAsync("/api/health/live")).StatusCode);
    }

    [Fact]
    public async Task Metrics_serves_prometheus_text_with_request_metrics()
    {
        var client = factory.CreateClient();
        await client.GetAsync("/api/health");
        var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE", text);
        Assert.Contains("http_server_request_duration_seconds", text);
    }

    [Fact]
    public async Task OpenApi_document_and_reference_page_are_served()
    {
        var client = factory.CreateClient();
        var doc = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, doc.StatusCode);
        var json = await doc.ReadJsonAsync();
        Assert.True(json["paths"]!.AsObject().ContainsKey("/api/auth/register"));
        var page = await client.GetAsync("/scalar");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("text/html", page.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Json_is_snake_case()
    {
        var user = await factory.RegisterAsync("teacher");
        var me = await (await user.Client.GetAsync("/api/auth/me")).Content.ReadAsStringAsync();
        Assert.Contains("\"display_name\"", me);
        Assert.Contains("\"created_at\"", me);
    }

    [Fact]
    public async Task No_cors_headers_without_configured_origins()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/health/live");
        request.Headers.Add("Origin", "https://evil.example");
        var response = await factory.CreateClient().SendAsync(request);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }
}

public sealed class RateLimitTests
{
    [Fact]
    public async Task Exceeding_the_limit_is_429_with_retry_after()
    {
        await using var factory = ApiFactory.With(new Dictionary<string, string?>
        {
            ["RateLimiting:Enabled"] = "true",
            ["RateLimiting:AuthPermitLimit"] = "3",
            ["RateLimiting:AnonymousPermitLimit"] = "5",
            ["RateLimiting:UserPermitLimit"] = "4",
            ["Cors:AllowedOrigins:0"] = "https://app.example",
        });
        var anon = factory.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
            statuses.Add((await anon.PostJsonAsync("/api/auth/login", new { email = "x@example.com", password = "Wrong-pass-1" })).StatusCode);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        var limited = await anon.PostJsonAsync("/api/auth/login", new { email = "x@example.com", password = "Wrong-pass-1" });
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        // Anonymous per-IP limit on other endpoints.
        HttpResponseMessage last = null!;
        for (var i = 0; i < 6; i++) last = await anon.GetAsync("/api/auth/me");
        await last.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");

        // Configured CORS origin is honoured.
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/auth/login");
        request.Headers.Add("Origin", "https://app.example");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        var preflight = await anon.SendAsync(request);
        Assert.Equal("https://app.example", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }
}
