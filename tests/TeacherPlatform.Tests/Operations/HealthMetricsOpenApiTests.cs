using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Time.Testing;
using TeacherPlatform.Tests.Chat;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Operations;

public sealed class HealthMetricsOpenApiTests
{
    [Fact]
    public async Task Anonymous_callers_see_only_the_overall_status_and_llm_probes_are_cached()
    {
        await using var llm = new FakeOpenAiServer();
        var settings = llm.Settings();
        await using var factory = ApiFactory.With(settings);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var host = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock)));

        var anonymous = await (await host.CreateClient().GetAsync("/api/health")).ReadJsonAsync();
        Assert.Equal("healthy", anonymous["status"]!.GetValue<string>());
        Assert.Null(anonymous["checks"]);

        var admin = await AdminClientAsync(host);
        for (var i = 0; i < 5; i++)
        {
            var detailed = await (await admin.GetAsync("/api/health")).ReadJsonAsync();
            Assert.Equal("healthy", detailed["checks"]!["llm"]!["status"]!.GetValue<string>());
            Assert.Equal("openai: fake-model", detailed["checks"]!["llm"]!["description"]!.GetValue<string>());
        }
        // Six polls (plus any background publisher runs): one free model listing, no paid completion.
        Assert.Equal(1, llm.ModelListings);
        Assert.Equal(0, llm.Calls);

        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await admin.GetAsync("/api/health");
        await admin.GetAsync("/api/health");
        Assert.Equal(2, llm.ModelListings);
        Assert.Equal(0, llm.Calls);
    }

    [Fact]
    public async Task An_unreachable_llm_degrades_readiness_without_failing_it()
    {
        await using var factory = ApiFactory.With(new Dictionary<string, string?>
        {
            ["Llm:Provider"] = "OpenAi", ["Llm:OpenAi:Endpoint"] = "http://127.0.0.1:1/v1", ["Llm:OpenAi:Model"] = "m",
        });
        var response = await factory.CreateClient().GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("degraded", (await response.ReadJsonAsync())["status"]!.GetValue<string>());
        var admin = await factory.AdminAsync();
        var detailed = await (await admin.Client.GetAsync("/api/health")).ReadJsonAsync();
        Assert.Equal("degraded", detailed["checks"]!["llm"]!["status"]!.GetValue<string>());
        Assert.Equal("healthy", detailed["checks"]!["database"]!["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(null, "127.0.0.1", HttpStatusCode.OK)]
    [InlineData(null, "192.0.2.1", HttpStatusCode.NotFound)]
    [InlineData("10.0.0.0/8", "10.1.2.3", HttpStatusCode.OK)]
    [InlineData("10.0.0.0/8", "127.0.0.1", HttpStatusCode.NotFound)]
    public async Task Metrics_answer_only_allowed_networks(string? allowed, string peer, HttpStatusCode expected)
    {
        var settings = new Dictionary<string, string?>();
        if (allowed is not null) settings["Metrics:AllowedNetworks:0"] = allowed;
        await using var factory = ApiFactory.With(settings);
        var response = await factory.WithPeerAddresses().CreateClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, "/metrics").From(peer));
        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.NotFound) await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task OpenApi_declares_bearer_security_and_problem_responses()
    {
        await using var factory = new ApiFactory();
        var doc = await (await factory.CreateClient().GetAsync("/openapi/v1.json")).ReadJsonAsync();
        var scheme = doc["components"]!["securitySchemes"]!["Bearer"]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
        Assert.Equal("JWT", scheme["bearerFormat"]!.GetValue<string>());
        Assert.NotNull(doc["components"]!["schemas"]!["Problem"]);

        var me = doc["paths"]!["/api/auth/me"]!["get"]!;
        Assert.Contains(me["security"]!.AsArray(), r => r!.AsObject().ContainsKey("Bearer"));
        AssertProblem(me, "401");
        AssertProblem(me, "404");
        AssertProblem(me, "429");

        var register = doc["paths"]!["/api/auth/register"]!["post"]!;
        Assert.Null(register["security"]);
        AssertProblem(register, "400");
        AssertProblem(register, "429");

        // Every operation that needs a token says so and documents the 401.
        foreach (var (path, item) in doc["paths"]!.AsObject())
        foreach (var (method, operation) in item!.AsObject())
        {
            if (operation!["security"] is null) continue;
            Assert.True(operation["responses"]!.AsObject().ContainsKey("401"), $"{method} {path} documents 401");
        }
        var secured = doc["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()).Count(o => o.Value!["security"] is not null);
        Assert.True(secured > 10, $"only {secured} secured operations");
    }

    private static void AssertProblem(JsonNode operation, string status)
    {
        var response = operation["responses"]![status];
        Assert.True(response is not null, $"response {status} documented");
        Assert.NotNull(response!["content"]!["application/problem+json"]);
    }

    private static async Task<HttpClient> AdminClientAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> host)
    {
        var email = $"admin-{Guid.NewGuid():N}@example.com";
        await using (var scope = host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<TeacherPlatform.Api.Features.Auth.AuthService>().EnsureAdminAsync(email, TestClients.Password, "Admin", CancellationToken.None);
        var login = await (await host.CreateClient().PostJsonAsync("/api/auth/login", new { email, password = TestClients.Password })).ReadJsonAsync();
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", login["access_token"]!.GetValue<string>());
        return client;
    }
}
