using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TeacherPlatform.Tests.Infrastructure;

public sealed record TestUser(Guid Id, string Email, string Role, string AccessToken, string RefreshToken, HttpClient Client);

public static class TestClients
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static int _counter;

    public const string Password = "Correct-Horse-7";

    public static async Task<TestUser> RegisterAsync(this Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> factory, string role = "student", string? email = null)
    {
        email ??= $"{role}{Interlocked.Increment(ref _counter)}-{Guid.NewGuid():N}@example.com";
        var anon = factory.CreateClient();
        var response = await anon.PostAsJsonAsync("/api/auth/register", new { email, password = Password, display_name = $"{role} user", role });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        var access = body!["access_token"]!.GetValue<string>();
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        return new TestUser(Guid.Parse(body["user"]!["id"]!.GetValue<string>()), email, role, access, body["refresh_token"]!.GetValue<string>(), client);
    }

    /// <summary>Creates an administrator through the CLI code path's service and signs in.</summary>
    public static async Task<TestUser> AdminAsync(this ApiFactory factory)
    {
        var email = $"admin-{Guid.NewGuid():N}@example.com";
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<TeacherPlatform.Api.Features.Auth.AuthService>()
                .EnsureAdminAsync(email, Password, "Admin", CancellationToken.None);
        }
        var anon = factory.CreateClient();
        var login = await anon.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var body = await login.Content.ReadFromJsonAsync<JsonObject>();
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body!["access_token"]!.GetValue<string>());
        return new TestUser(Guid.Parse(body["user"]!["id"]!.GetValue<string>()), email, "admin", body["access_token"]!.GetValue<string>(), body["refresh_token"]!.GetValue<string>(), client);
    }

    /// <summary>Links a teacher and a student the only way there is: the teacher invites, the student accepts.</summary>
    /// <returns>The relationship id.</returns>
    public static async Task<string> LinkAsync(this TestUser teacher, TestUser student)
    {
        var invite = await teacher.Client.PostJsonAsync("/api/relationships", new { student_id = student.Id });
        Assert.Equal(HttpStatusCode.Accepted, invite.StatusCode);
        var id = (await invite.ReadJsonAsync())["id"]!.GetValue<string>();
        var accept = await student.Client.PostAsync($"/api/relationships/{id}/accept", null);
        Assert.Equal(HttpStatusCode.OK, accept.StatusCode);
        return id;
    }

    public static async Task<JsonObject> ReadJsonAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    /// <summary>Asserts an RFC 9457 problem with the given status and code, and returns it.</summary>
    public static async Task<JsonObject> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string? code = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status} but got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(problem["code"]?.GetValue<string>()), "problem has a code");
        if (code is not null) Assert.Equal(code, problem["code"]!.GetValue<string>());
        return problem;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.PostAsJsonAsync(url, body, Json);

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string url, object body) =>
        client.PatchAsJsonAsync(url, body, Json);

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string url, string raw, string contentType = "application/json") =>
        client.PostAsync(url, new StringContent(raw, System.Text.Encoding.UTF8, contentType));
}
