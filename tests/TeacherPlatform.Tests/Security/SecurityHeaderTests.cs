using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Security;

public sealed class SecurityHeaderTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static void AssertHardened(HttpResponseMessage response, string path)
    {
        string One(string name) => response.Headers.TryGetValues(name, out var v) ? v.Single()
            : response.Content.Headers.TryGetValues(name, out var c) ? c.Single() : throw new Xunit.Sdk.XunitException($"{path}: no {name}");
        Assert.Equal("nosniff", One("X-Content-Type-Options"));
        Assert.Equal("DENY", One("X-Frame-Options"));
        Assert.Equal("no-referrer", One("Referrer-Policy"));
        Assert.Contains("frame-ancestors 'none'", One("Content-Security-Policy"));
        Assert.False(response.Headers.Contains("Server"), $"{path}: Server header");
    }

    [Fact]
    public async Task Every_kind_of_response_carries_the_headers()
    {
        var user = await factory.RegisterAsync("teacher");
        var anon = factory.CreateClient();
        foreach (var (client, path) in new[] { (anon, "/api/health/live"), (anon, "/api/auth/me"), (anon, "/api/nope"), (user.Client, "/api/projects"), (user.Client, $"/api/projects/{Guid.NewGuid()}"), (anon, "/openapi/v1.json") })
        {
            using var response = await client.GetAsync(path);
            AssertHardened(response, path);
            Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        }

        using var bad = await user.Client.PostRawAsync("/api/projects", "{");
        AssertHardened(bad, "bad body");
    }

    [Fact]
    public async Task The_api_reference_page_gets_a_policy_it_can_run_with()
    {
        using var response = await factory.CreateClient().GetAsync("/scalar");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertHardened(response, "/scalar");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("default-src 'none'", csp);
    }

    [Fact]
    public void Kestrel_sends_no_server_banner()
    {
        Assert.False(factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.AddServerHeader);
    }
}
