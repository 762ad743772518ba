using System.Net;
using Dapper;
using TeacherPlatform.Core.Persistence;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Auth;

public sealed class AuthValidationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    public static TheoryData<string, string> BadRegistrations => new()
    {
        { "{\"email\":\"a@b.com\",\"password\":\"Correct-Horse-7\",\"display_name\":\"x\",\"role\":\"teacher\"", "body" },
        { """{"password":"Correct-Horse-7","display_name":"x","role":"teacher"}""", "email" },
        { """{"email":"a@b.com","display_name":"x","role":"teacher"}""", "password" },
        { """{"email":"a@b.com","password":"Correct-Horse-7","role":"teacher"}""", "display_name" },
        { """{"email":"a@b.com","password":"Correct-Horse-7","display_name":"x"}""", "role" },
        { """{"email":123,"password":"Correct-Horse-7","display_name":"x","role":"teacher"}""", "email" },
        { """{"email":"a@b.com","password":["x"],"display_name":"x","role":"teacher"}""", "password" },
        { """{"email":"not-an-email","password":"Correct-Horse-7","display_name":"x","role":"teacher"}""", "email" },
        { """{"email":"a@b.com","password":"short1","display_name":"x","role":"teacher"}""", "password" },
        { """{"email":"a@b.com","password":"password123","display_name":"x","role":"teacher"}""", "password" },
        { """{"email":"a@b.com","password":"abcdefghijkl","display_name":"x","role":"teacher"}""", "password" },
        { """{"email":"a@b.com","password":"Correct-Horse-7","display_name":"x","role":"pianist"}""", "role" },
        { """{"email":"a@b.com","password":"Correct-Horse-7","display_name":"x","role":"admin"}""", "role" },
        { $$"""{"email":"a@b.com","password":"Correct-Horse-7","display_name":"{{new string('x', 101)}}","role":"teacher"}""", "display_name" },
        { $$"""{"email":"{{new string('a', 250)}}@b.com","password":"Correct-Horse-7","display_name":"x","role":"teacher"}""", "email" },
        { """{"email":"a@b.com","password":"Correct-Horse-7","display_name":"\u200b\u200b","role":"teacher"}""", "display_name" },
        { """{"email":"a@b.com","password":"Correct-Horse-7","display_name":"Ann\u0007","role":"teacher"}""", "display_name" },
        { """{"email":"a@b.com","password":"Correct-Horse-7","display_name":"gpj.\u202eexe","role":"teacher"}""", "display_name" },
        { "[]", "body" },
        { "", "body" },
    };

    [Theory]
    [MemberData(nameof(BadRegistrations))]
    public async Task Bad_registration_is_a_field_level_problem_and_writes_nothing(string body, string field)
    {
        var before = await CountUsersAsync();
        var response = await factory.CreateClient().PostRawAsync("/api/auth/register", body);
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"expected an error for '{field}', got {errors.ToJsonString()}");
        Assert.Equal(before, await CountUsersAsync());
    }

    [Fact]
    public async Task Wrong_content_type_is_415_problem()
    {
        var response = await factory.CreateClient().PostRawAsync("/api/auth/login", "email=a", "application/x-www-form-urlencoded");
        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task Login_with_missing_fields_is_400()
    {
        var response = await factory.CreateClient().PostRawAsync("/api/auth/login", "{}");
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem["errors"]!.AsObject().ContainsKey("email"));
    }

    [Fact]
    public async Task Unknown_route_is_a_404_problem()
    {
        var response = await factory.CreateClient().GetAsync("/api/nothing-here");
        await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    private async Task<long> CountUsersAsync()
    {
        var db = factory.Services.GetRequiredService<Db>();
        await using var c = await db.OpenAsync();
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM users");
    }
}
