using System.Net;
using Dapper;
using Microsoft.AspNetCore.TestHost;
using TeacherPlatform.Core.Persistence;
using TeacherPlatform.Core.Storage;
using TeacherPlatform.Core.Storage.Local;
using TeacherPlatform.Api.Features.Projects;
using TeacherPlatform.Tests.Infrastructure;
using static TeacherPlatform.Tests.Projects.ProjectTestKit;

namespace TeacherPlatform.Tests.Projects;

public sealed class ProjectSharingTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Teachers_share_only_with_their_students_and_grantee_admins_within_the_same_bounds()
    {
        var owner = await factory.RegisterAsync("teacher");
        var ownStudent = await factory.RegisterAsync("student");
        var otherStudent = await factory.RegisterAsync("student");
        var colleague = await factory.RegisterAsync("teacher");
        var assistant = await factory.RegisterAsync("student");
        var admin = await factory.AdminAsync();
        await LinkAsync(owner, ownStudent);
        await LinkAsync(owner, assistant);
        await LinkAsync(colleague, otherStudent);
        var id = await CreateReadyAsync(factory, owner);
        string Url() => $"/api/projects/{id}/access";

        // SPEC: a teacher grants only to users they have a relationship with. Another teacher's student, a teacher and an
        // unknown id all answer 404 alike, so the endpoint tells nobody which accounts exist (nor their email).
        foreach (var stranger in new[] { otherStudent.Id, colleague.Id, Guid.NewGuid() })
        {
            var problem = await (await owner.Client.PostJsonAsync(Url(), new { user_id = stranger, permission = "view" }))
                .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
            Assert.DoesNotContain("@", problem.ToJsonString(), StringComparison.Ordinal);
        }
        await (await owner.Client.PostJsonAsync(Url(), new { user_id = owner.Id, permission = "view" })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await owner.Client.PostJsonAsync(Url(), new { user_id = ownStudent.Id, permission = "owner" })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await owner.Client.PostJsonAsync(Url(), new { permission = "view" })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        var created = await owner.Client.PostJsonAsync(Url(), new { user_id = ownStudent.Id, permission = "view" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var grant = await created.ReadJsonAsync();
        Assert.Equal("view", grant["permission"]!.GetValue<string>());
        Assert.True(grant["active"]!.GetValue<bool>());
        var changed = await owner.Client.PostJsonAsync(Url(), new { user_id = ownStudent.Id, permission = "edit" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        // A platform admin may share with anyone, a colleague teacher included.
        Assert.Equal(HttpStatusCode.Created, (await admin.Client.PostJsonAsync(Url(), new { user_id = colleague.Id, permission = "view" })).StatusCode);

        // A student with admin shares only where the owner could: the owner's students, not others' students or teachers.
        await GrantAsync(owner, id, assistant, "admin");
        await (await assistant.Client.PostJsonAsync(Url(), new { user_id = otherStudent.Id, permission = "view" })).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await assistant.Client.PostJsonAsync(Url(), new { user_id = assistant.Id, permission = "view" })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var another = await factory.RegisterAsync("teacher");
        await (await assistant.Client.PostJsonAsync(Url(), new { user_id = another.Id, permission = "edit" })).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.OK, (await assistant.Client.PostJsonAsync(Url(), new { user_id = ownStudent.Id, permission = "view" })).StatusCode);

        var list = await (await assistant.Client.GetAsync(Url())).ReadJsonAsync();
        Assert.Equal(3, list["total"]!.GetValue<int>());
        Assert.Equal("view", list["items"]!.AsArray().Single(i => i!["user"]!["id"]!.GetValue<string>() == ownStudent.Id.ToString())!["permission"]!.GetValue<string>());

        // The shared project appears in each grantee's list, with their permission.
        var seen = await (await colleague.Client.GetAsync("/api/projects")).ReadJsonAsync();
        Assert.Equal("view", Assert.Single(seen["items"]!.AsArray())!["permission"]!.GetValue<string>());
        var byOwner = await (await ownStudent.Client.GetAsync($"/api/projects?owner_id={owner.Id}")).ReadJsonAsync();
        Assert.Equal(1, byOwner["total"]!.GetValue<int>());
        Assert.Equal(0, (await (await ownStudent.Client.GetAsync($"/api/projects?owner_id={colleague.Id}")).ReadJsonAsync())["total"]!.GetValue<int>());

        // A grantee may give up their own access.
        Assert.Equal(HttpStatusCode.NoContent, (await colleague.Client.DeleteAsync($"{Url()}/{colleague.Id}")).StatusCode);
        await (await colleague.Client.GetAsync($"/api/projects/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await owner.Client.DeleteAsync($"{Url()}/{colleague.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Revoking_stops_unexpired_download_urls_and_the_stream_at_once()
    {
        var owner = await factory.RegisterAsync("teacher");
        var student = await factory.RegisterAsync("student");
        await LinkAsync(owner, student);
        var id = await CreateReadyAsync(factory, owner);
        await GrantAsync(owner, id, student, "view");

        var downloadUrl = (await (await student.Client.GetAsync($"/api/projects/{id}")).ReadJsonAsync())["download_url"]!.GetValue<string>();
        var anon = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anon.GetAsync(downloadUrl)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await student.Client.GetAsync($"/api/projects/{id}/stream")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/projects/{id}/access/{student.Id}")).StatusCode);

        await (await anon.GetAsync(downloadUrl)).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await student.Client.GetAsync($"/api/projects/{id}/stream")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await student.Client.GetAsync($"/api/projects/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        // The owner's own URL still works; a tampered one does not.
        var ownerUrl = (await (await owner.Client.GetAsync($"/api/projects/{id}")).ReadJsonAsync())["download_url"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await anon.GetAsync(ownerUrl)).StatusCode);
        await (await anon.GetAsync(ownerUrl.Replace($"uid={owner.Id}", $"uid={student.Id}"))).AssertProblemAsync(HttpStatusCode.Forbidden, "invalid_signature");
    }

    [Fact]
    public async Task Ending_the_relationship_ends_a_students_access_and_uploads_after_confirm_are_refused()
    {
        var owner = await factory.RegisterAsync("teacher");
        var student = await factory.RegisterAsync("student");
        await LinkAsync(owner, student);
        var created = await CreateAsync(owner);
        // Grants on a pending project wait for it to be ready: the grantee does not see it yet.
        await GrantAsync(owner, created.Id, student, "edit");
        await (await student.Client.GetAsync($"/api/projects/{created.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, (await (await student.Client.GetAsync("/api/projects")).ReadJsonAsync())["total"]!.GetValue<int>());

        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(factory.CreateClient(), created.UploadUrl, Pdf(2))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.PostJsonAsync($"/api/projects/{created.Id}/confirm", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await student.Client.GetAsync($"/api/projects/{created.Id}")).StatusCode);

        // The confirmed file cannot be replaced through the (unexpired) upload URL.
        await (await UploadAsync(factory.CreateClient(), created.UploadUrl, Pdf(5))).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");

        var relationship = (await (await student.Client.GetAsync("/api/relationships")).ReadJsonAsync())["items"]![0]!["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await student.Client.DeleteAsync($"/api/relationships/{relationship}")).StatusCode);
        await (await student.Client.GetAsync($"/api/projects/{created.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        var grants = await (await owner.Client.GetAsync($"/api/projects/{created.Id}/access")).ReadJsonAsync();
        Assert.False(Assert.Single(grants["items"]!.AsArray())!["active"]!.GetValue<bool>());
    }
}

/// <summary>The cleanup job: expired unconfirmed uploads, and storage deletions that failed and are retried from the outbox.</summary>
public sealed class ProjectCleanupTests
{
    [Fact]
    public async Task Expired_unconfirmed_projects_are_removed_with_their_objects()
    {
        await using var factory = ApiFactory.With(new Dictionary<string, string?>());
        var teacher = await factory.RegisterAsync("teacher");
        var stale = await CreateAsync(teacher, "Stale");
        var fresh = await CreateAsync(teacher, "Fresh");
        await UploadAsync(factory.CreateClient(), stale.UploadUrl, Pdf(1));
        await using (var c = await factory.Services.GetRequiredService<Db>().OpenAsync())
            await c.ExecuteAsync("UPDATE projects SET upload_expires_at = @past WHERE id = @id", new { past = DateTimeOffset.UtcNow.AddHours(-3), id = stale.Id });

        var (expired, deleted) = await factory.Services.GetRequiredService<ProjectCleanup>().RunOnceAsync(CancellationToken.None);

        Assert.Equal((1, 1), (expired, deleted));
        await (await teacher.Client.GetAsync($"/api/projects/{stale.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Null(await factory.Services.GetRequiredService<IObjectStorage>().HeadAsync($"projects/{stale.Id}/source.pdf"));
        Assert.Equal(HttpStatusCode.OK, (await teacher.Client.GetAsync($"/api/projects/{fresh.Id}")).StatusCode);
        // Its upload URL is dead too.
        await (await UploadAsync(factory.CreateClient(), stale.UploadUrl, Pdf(1))).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task A_failed_storage_delete_leaves_no_rows_pointing_at_the_file_and_is_retried_until_the_file_is_gone()
    {
        var flaky = new FlakyDeletes();
        await using var baseFactory = ApiFactory.With(new Dictionary<string, string?>());
        await using var app = baseFactory.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.AddSingleton<IObjectStorage>(sp => new FlakyStorage(sp.GetRequiredService<LocalObjectStorage>(), flaky))));
        var teacher = await RegisterAsync(app);
        var created = await CreateAsync(teacher);
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(app.CreateClient(), created.UploadUrl, Pdf(2))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await teacher.Client.PostJsonAsync($"/api/projects/{created.Id}/confirm", new { })).StatusCode);
        await AnnotateAsync(teacher, Note(1, created.Id));

        flaky.Fail = true;
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.Client.DeleteAsync($"/api/projects/{created.Id}")).StatusCode);
        await (await teacher.Client.GetAsync($"/api/projects/{created.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        var local = app.Services.GetRequiredService<LocalObjectStorage>();
        var key = $"projects/{created.Id}/source.pdf";
        Assert.NotNull(await local.HeadAsync(key));
        var outbox = app.Services.GetRequiredService<StorageDeletionOutbox>();
        Assert.Equal(1, await outbox.PendingCountAsync(CancellationToken.None));

        // Still failing: the attempt is recorded and pushed back.
        await using (var c = await app.Services.GetRequiredService<Db>().OpenAsync())
            await c.ExecuteAsync("UPDATE storage_deletions SET next_attempt_at = @past", new { past = DateTimeOffset.UtcNow.AddMinutes(-1) });
        Assert.Equal((0, 0), await app.Services.GetRequiredService<ProjectCleanup>().RunOnceAsync(CancellationToken.None));
        await using (var c = await app.Services.GetRequiredService<Db>().OpenAsync())
        {
            Assert.Equal(2, await c.ExecuteScalarAsync<int>("SELECT attempts FROM storage_deletions"));
            await c.ExecuteAsync("UPDATE storage_deletions SET next_attempt_at = @past", new { past = DateTimeOffset.UtcNow.AddMinutes(-1) });
        }

        flaky.Fail = false;
        Assert.Equal((0, 1), await app.Services.GetRequiredService<ProjectCleanup>().RunOnceAsync(CancellationToken.None));
        Assert.Null(await local.HeadAsync(key));
        Assert.Equal(0, await outbox.PendingCountAsync(CancellationToken.None));
    }

    /// <summary>Registers through the derived host (the base factory's host is never started: PGlite is one session).</summary>
    private static async Task<TestUser> RegisterAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> app)
    {
        var email = $"flaky-{Guid.NewGuid():N}@example.com";
        var anon = app.CreateClient();
        var response = await anon.PostJsonAsync("/api/auth/register", new { email, password = TestClients.Password, display_name = "Teacher", role = "teacher" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.ReadJsonAsync();
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", body["access_token"]!.GetValue<string>());
        return new TestUser(Guid.Parse(body["user"]!["id"]!.GetValue<string>()), email, "teacher", body["access_token"]!.GetValue<string>(), "", client);
    }

    private sealed class FlakyDeletes
    {
        public volatile bool Fail;
    }

    /// <summary>The local storage whose deletes fail on demand (an S3 outage, say).</summary>
    private sealed class FlakyStorage(LocalObjectStorage inner, FlakyDeletes flaky) : IObjectStorage
    {
        public string Provider => inner.Provider;
        public Task<PresignedUrl> CreateUploadUrlAsync(string key, string contentType, TimeSpan lifetime, Guid? userId, CancellationToken ct = default) =>
            inner.CreateUploadUrlAsync(key, contentType, lifetime, userId, ct);
        public Task<PresignedUrl> CreateDownloadUrlAsync(string key, string? name, TimeSpan lifetime, Guid? userId, CancellationToken ct = default) =>
            inner.CreateDownloadUrlAsync(key, name, lifetime, userId, ct);
        public Task<ObjectInfo?> HeadAsync(string key, CancellationToken ct = default) => inner.HeadAsync(key, ct);
        public Task<Stream> OpenReadAsync(string key, long offset = 0, long? length = null, CancellationToken ct = default) => inner.OpenReadAsync(key, offset, length, ct);
        public Task PutAsync(string key, Stream content, string contentType, CancellationToken ct = default) => inner.PutAsync(key, content, contentType, ct);
        public Task<bool> DeleteAsync(string key, CancellationToken ct = default) =>
            flaky.Fail ? throw new IOException("storage is unavailable") : inner.DeleteAsync(key, ct);
        public Task<bool> IsReadyAsync(CancellationToken ct = default) => inner.IsReadyAsync(ct);
    }
}
