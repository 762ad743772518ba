using System.Net;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using TeacherPlatform.Core.Identity;
using TeacherPlatform.Core.Persistence;
using TeacherPlatform.Tests.Infrastructure;
using TeacherPlatform.Tests.Projects;

namespace TeacherPlatform.Tests.Security;

/// <summary>U+0000 cannot be stored in PostgreSQL text: every way of sending it is a 400 validation_failed, on both providers.</summary>
public sealed class NulInputTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_NUL_in_a_query_string_is_a_validation_problem()
    {
        var teacher = await factory.RegisterAsync("teacher");
        Assert.Equal(HttpStatusCode.OK, (await teacher.Client.GetAsync("/api/projects?q=abc")).StatusCode);

        foreach (var url in new[]
        {
            "/api/projects?q=%00", "/api/knowledge?q=a%00b", "/api/knowledge?status=ready&source_type=%00text",
            "/api/projects?q=ok&q=%00", "/api/knowledge?%00=x", "/api/relationships?status=pending%00",
        })
        {
            using var response = await teacher.Client.GetAsync(url);
            await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        }
    }

    [Fact]
    public async Task A_NUL_in_a_JSON_string_is_a_validation_problem_even_inside_annotation_content()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var project = await ProjectTestKit.CreateReadyAsync(factory, teacher, pages: 2);

        (string Url, object Body)[] cases =
        [
            ("/api/search", new { query = "a\0b" }),
            ("/api/chat/query", new { query = "\0" }),
            ("/api/projects", new { title = "Etude\0", filename = "e.pdf" }),
            ("/api/annotations", ProjectTestKit.Note(1, project, "pedal\0here")),
            ("/api/annotations", ProjectTestKit.Highlight(1, project, "\0")),
        ];
        foreach (var (url, body) in cases)
        {
            using var response = await teacher.Client.PostJsonAsync(url, body);
            await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        }

        var created = await (await teacher.Client.PostJsonAsync("/api/annotations", ProjectTestKit.Note(1, project))).ReadJsonAsync();
        using (var patch = await teacher.Client.PatchJsonAsync($"/api/annotations/{created["id"]}", new { content = new { x = 0.5, y = 0.5, text = "x\0" } }))
            await patch.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var stored = await (await teacher.Client.GetAsync($"/api/annotations/{created["id"]}")).ReadJsonAsync();
        Assert.Equal("Watch the pedal here", stored["content"]!["text"]!.GetValue<string>());
    }
}

/// <summary>Own host on a FakeTimeProvider: the pruning job runs on the injected clock.</summary>
public sealed class StaleRowPruningTests
{
    [Fact]
    public async Task Expired_invitations_and_idle_login_throttle_rows_are_pruned_each_interval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = ApiFactory.With(time, new Dictionary<string, string?>
        {
            ["Relationships:InvitationLifetime"] = "1.00:00:00",
            ["Relationships:PruneInterval"] = "01:00:00",
            ["Auth:Lockout:LockoutDuration"] = "00:15:00",
            ["Auth:Jwt:AccessTokenLifetime"] = "30.00:00:00",
        });
        var teacher = await app.RegisterAsync("teacher");
        var db = app.Services.GetRequiredService<Db>();

        var stale = await InviteAsync(teacher, "stale-invitee@example.com");
        await FailLoginAsync(app, "stale-guess@example.com");
        Assert.True(await InvitationExistsAsync(db, stale));
        Assert.True(await ThrottleExistsAsync(db, "stale-guess@example.com"));

        time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1)); // past the lifetime, the idle window and the interval
        var fresh = await InviteAsync(teacher, "fresh-invitee@example.com");
        await FailLoginAsync(app, "fresh-guess@example.com");

        await Eventually.TrueAsync(async () => !await InvitationExistsAsync(db, stale) && !await ThrottleExistsAsync(db, "stale-guess@example.com"),
            "the expired invitation and the idle throttle row to be pruned");
        Assert.True(await InvitationExistsAsync(db, fresh));
        Assert.True(await ThrottleExistsAsync(db, "fresh-guess@example.com"));
    }

    private static async Task<Guid> InviteAsync(TestUser teacher, string email)
    {
        using var response = await teacher.Client.PostJsonAsync("/api/relationships", new { student_email = email });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return Guid.Parse((await response.ReadJsonAsync())["id"]!.GetValue<string>());
    }

    private static async Task FailLoginAsync(ApiFactory app, string email)
    {
        using var response = await app.CreateClient().PostJsonAsync("/api/auth/login", new { email, password = "wrong-password-1" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static async Task<bool> InvitationExistsAsync(Db db, Guid id)
    {
        await using var c = await db.OpenAsync();
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM relationship_invitations WHERE id = @id", new { id }) > 0;
    }

    private static async Task<bool> ThrottleExistsAsync(Db db, string email)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(User.Normalize(email))));
        await using var c = await db.OpenAsync();
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM login_throttle WHERE email_key = @key", new { key }) > 0;
    }
}
