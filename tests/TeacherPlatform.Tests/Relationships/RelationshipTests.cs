using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Time.Testing;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Relationships;

public sealed class RelationshipTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Teacher_invites_by_email_and_by_id_student_accepts_both_sides_list_and_either_side_ends()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var s1 = await factory.RegisterAsync("student");
        var s2 = await factory.RegisterAsync("student");

        var byEmail = await teacher.Client.PostJsonAsync("/api/relationships", new { student_email = s1.Email.ToUpperInvariant() });
        Assert.Equal(HttpStatusCode.Accepted, byEmail.StatusCode);
        var invitation = await byEmail.ReadJsonAsync();
        Assert.Equal("pending", invitation["status"]!.GetValue<string>());
        Assert.Equal(s1.Email.ToUpperInvariant(), invitation["student_email"]!.GetValue<string>());
        Assert.NotNull(invitation["expires_at"]);
        var id1 = invitation["id"]!.GetValue<string>();

        // Pending: both sides see it, nothing is shared yet.
        var pendingForStudent = (await (await s1.Client.GetAsync("/api/relationships?status=pending")).ReadJsonAsync())["items"]!.AsArray();
        Assert.Equal(id1, Assert.Single(pendingForStudent)!["id"]!.GetValue<string>());
        Assert.Equal(teacher.Id.ToString(), pendingForStudent[0]!["teacher"]!["id"]!.GetValue<string>());
        Assert.Empty((await (await teacher.Client.GetAsync("/api/relationships?status=active")).ReadJsonAsync())["items"]!.AsArray());

        // Only the invited student accepts: another student, the teacher and an outsider get 404.
        await (await s2.Client.PostAsync($"/api/relationships/{id1}/accept", null)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await teacher.Client.PostAsync($"/api/relationships/{id1}/accept", null)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var accepted = await s1.Client.PostAsync($"/api/relationships/{id1}/accept", null);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var rel1 = await accepted.ReadJsonAsync();
        Assert.Equal(id1, rel1["id"]!.GetValue<string>());
        Assert.Equal("active", rel1["status"]!.GetValue<string>());
        Assert.Equal(teacher.Id.ToString(), rel1["teacher"]!["id"]!.GetValue<string>());
        Assert.Equal(s1.Id.ToString(), rel1["student"]!["id"]!.GetValue<string>());
        Assert.NotNull(rel1["created_at"]);
        Assert.NotNull(rel1["accepted_at"]);
        await (await s1.Client.PostAsync($"/api/relationships/{id1}/accept", null)).AssertProblemAsync(HttpStatusCode.NotFound);

        var rel2Id = await teacher.LinkAsync(s2);

        var teacherList = (await (await teacher.Client.GetAsync("/api/relationships")).ReadJsonAsync())["items"]!.AsArray();
        Assert.Equal(2, teacherList.Count);
        Assert.All(teacherList, item => Assert.Equal("active", item!["status"]!.GetValue<string>()));
        var studentList = (await (await s1.Client.GetAsync("/api/relationships?status=active")).ReadJsonAsync())["items"]!.AsArray();
        Assert.Equal(id1, Assert.Single(studentList)!["id"]!.GetValue<string>());

        // Another user cannot end it (404), the student can.
        var outsider = await factory.RegisterAsync("teacher");
        await (await outsider.Client.DeleteAsync($"/api/relationships/{id1}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.NoContent, (await s1.Client.DeleteAsync($"/api/relationships/{id1}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.Client.DeleteAsync($"/api/relationships/{rel2Id}")).StatusCode);
        await (await teacher.Client.DeleteAsync($"/api/relationships/{rel2Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await (await teacher.Client.GetAsync("/api/relationships")).ReadJsonAsync())["items"]!.AsArray());
    }

    [Fact]
    public async Task The_answer_is_the_same_whether_or_not_the_account_exists_and_a_later_registration_can_accept()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var existing = await factory.RegisterAsync("student");
        var otherTeacher = await factory.RegisterAsync("teacher");
        var ghostEmail = $"ghost-{Guid.NewGuid():N}@example.com";

        var ids = new List<string>();
        foreach (var email in new[] { existing.Email, ghostEmail, otherTeacher.Email })
        {
            var response = await teacher.Client.PostJsonAsync("/api/relationships", new { student_email = email });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var body = await response.ReadJsonAsync();
            Assert.Equal(["id", "status", "student_email", "expires_at"], body.Select(p => p.Key).ToArray());
            Assert.Equal(email, body["student_email"]!.GetValue<string>());
            ids.Add(body["id"]!.GetValue<string>());
        }

        // A teacher cannot accept an invitation sent to their email: only students accept.
        var toTeacher = ids[2];
        await (await otherTeacher.Client.PostAsync($"/api/relationships/{toTeacher}/accept", null)).AssertProblemAsync(HttpStatusCode.NotFound);

        // The invitation to an unregistered email waits for that registration.
        var ghostInvitation = ids[1];
        var ghost = await factory.RegisterAsync("student", ghostEmail);
        Assert.Equal(ghostInvitation, Assert.Single((await (await ghost.Client.GetAsync("/api/relationships?status=pending")).ReadJsonAsync())["items"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await ghost.Client.PostAsync($"/api/relationships/{ghostInvitation}/accept", null)).StatusCode);

        // The student declines by deleting the invitation; the teacher sees it gone.
        var declined = ids[0];
        Assert.Equal(HttpStatusCode.NoContent, (await existing.Client.DeleteAsync($"/api/relationships/{declined}")).StatusCode);
        var pending = (await (await teacher.Client.GetAsync("/api/relationships?status=pending")).ReadJsonAsync())["items"]!.AsArray();
        Assert.DoesNotContain(pending, item => item!["id"]!.GetValue<string>() == declined);
        // The teacher withdraws the remaining one.
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.Client.DeleteAsync($"/api/relationships/{toTeacher}")).StatusCode);
        Assert.Empty((await (await teacher.Client.GetAsync("/api/relationships?status=pending")).ReadJsonAsync())["items"]!.AsArray());
    }

    [Fact]
    public async Task The_list_is_paginated_like_every_list()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var students = new List<TestUser>();
        for (var i = 0; i < 3; i++)
        {
            students.Add(await factory.RegisterAsync("student"));
            await teacher.LinkAsync(students[^1]);
        }
        Assert.Equal(HttpStatusCode.Accepted, (await teacher.Client.PostJsonAsync("/api/relationships", new { student_email = "later@example.com" })).StatusCode);

        var all = await (await teacher.Client.GetAsync("/api/relationships")).ReadJsonAsync();
        Assert.Equal(4, all["total"]!.GetValue<int>());
        Assert.Equal(1, all["page"]!.GetValue<int>());
        Assert.Equal(20, all["page_size"]!.GetValue<int>());
        var second = await (await teacher.Client.GetAsync("/api/relationships?page=2&page_size=3")).ReadJsonAsync();
        Assert.Equal(4, second["total"]!.GetValue<int>());
        Assert.Equal("pending", Assert.Single(second["items"]!.AsArray())!["status"]!.GetValue<string>());
        Assert.Equal(3, (await (await teacher.Client.GetAsync("/api/relationships?status=active&page_size=5")).ReadJsonAsync())["total"]!.GetValue<int>());

        foreach (var bad in new[] { "page=-1", "page=0", "page_size=100000", "page_size=0" })
            await (await teacher.Client.GetAsync($"/api/relationships?{bad}")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.GetAsync("/api/relationships?page=abc")).AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_invitation_to_a_teachers_email_is_listed_only_to_its_sender()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var colleague = await factory.RegisterAsync("teacher");
        var sent = await (await teacher.Client.PostJsonAsync("/api/relationships", new { student_email = colleague.Email })).ReadJsonAsync();

        // Only a student can accept, so the colleague neither sees nor accepts it; the sender still sees it pending.
        Assert.Empty((await (await colleague.Client.GetAsync("/api/relationships?status=pending")).ReadJsonAsync())["items"]!.AsArray());
        Assert.Equal(sent["id"]!.GetValue<string>(),
            Assert.Single((await (await teacher.Client.GetAsync("/api/relationships?status=pending")).ReadJsonAsync())["items"]!.AsArray())!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rules_repeats_self_and_students_cannot_invite()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var student = await factory.RegisterAsync("student");
        var first = await (await teacher.Client.PostJsonAsync("/api/relationships", new { student_id = student.Id })).ReadJsonAsync();
        // Inviting again renews the same invitation.
        var again = await teacher.Client.PostJsonAsync("/api/relationships", new { student_id = student.Id });
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(first["id"]!.GetValue<string>(), (await again.ReadJsonAsync())["id"]!.GetValue<string>());
        // Unknown ids get the same answer as known ones.
        Assert.Equal(HttpStatusCode.Accepted, (await teacher.Client.PostJsonAsync("/api/relationships", new { student_id = Guid.NewGuid() })).StatusCode);

        await (await teacher.Client.PostJsonAsync("/api/relationships", new { student_id = teacher.Id })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.PostJsonAsync("/api/relationships", new { student_email = teacher.Email })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.PostJsonAsync("/api/relationships", new { })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.PostJsonAsync("/api/relationships", new { student_email = "nope" })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.PostRawAsync("/api/relationships", """{"student_id":"not-a-guid"}""")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.GetAsync("/api/relationships?status=maybe")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        var student2 = await factory.RegisterAsync("student");
        await (await student.Client.PostJsonAsync("/api/relationships", new { student_id = student2.Id })).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await factory.CreateClient().PostJsonAsync("/api/relationships", new { student_id = student2.Id })).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await factory.CreateClient().GetAsync("/api/relationships")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await factory.CreateClient().PostAsync($"/api/relationships/{first["id"]}/accept", null)).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}

/// <summary>Own app instance (a FakeTimeProvider for the whole host); no class fixture, so PGlite's single connection is free.</summary>
public sealed class RelationshipExpiryTests
{
    [Fact]
    public async Task A_pending_invitation_shares_nothing_and_expires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var expiring = ApiFactory.With(new Dictionary<string, string?>
        {
            ["Relationships:InvitationLifetime"] = "2.00:00:00",
            ["Auth:Jwt:AccessTokenLifetime"] = "30.00:00:00",
        });
        var app = expiring.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(time)));
        var teacher = (await app.RegisterAsync("teacher")).Client;
        var student = await app.RegisterAsync("student");

        var created = await (await teacher.PostJsonAsync("/api/knowledge", new { title = "Private notes", source_type = "text", is_public = false, filename = "n.txt" })).ReadJsonAsync();
        var docId = created["document"]!["id"]!.GetValue<string>();
        var invitation = await (await teacher.PostJsonAsync("/api/relationships", new { student_email = student.Email })).ReadJsonAsync();
        await (await student.Client.GetAsync($"/api/knowledge/{docId}")).AssertProblemAsync(HttpStatusCode.NotFound);

        time.Advance(TimeSpan.FromDays(2) + TimeSpan.FromSeconds(1));
        await (await student.Client.PostAsync($"/api/relationships/{invitation["id"]}/accept", null)).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await (await student.Client.GetAsync("/api/relationships")).ReadJsonAsync())["items"]!.AsArray());

        // A fresh invitation, accepted in time, shares.
        var renewed = await (await teacher.PostJsonAsync("/api/relationships", new { student_id = student.Id })).ReadJsonAsync();
        time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(HttpStatusCode.OK, (await student.Client.PostAsync($"/api/relationships/{renewed["id"]}/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await student.Client.GetAsync($"/api/knowledge/{docId}")).StatusCode);
    }
}
