using System.Net;
using TeacherPlatform.Tests.Infrastructure;

namespace TeacherPlatform.Tests.Relationships;

public sealed class RelationshipTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Teacher_adds_student_by_email_and_by_id_both_sides_list_and_either_side_ends()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var s1 = await factory.RegisterAsync("student");
        var s2 = await factory.RegisterAsync("student");

        var byEmail = await teacher.Client.PostJsonAsync("/api/relationships", new { student_email = s1.Email.ToUpperInvariant() });
        Assert.Equal(HttpStatusCode.Created, byEmail.StatusCode);
        var rel1 = await byEmail.ReadJsonAsync();
        Assert.Equal(teacher.Id.ToString(), rel1["teacher"]!["id"]!.GetValue<string>());
        Assert.Equal(s1.Id.ToString(), rel1["student"]!["id"]!.GetValue<string>());
        Assert.NotNull(rel1["created_at"]);

        var byId = await teacher.Client.PostJsonAsync("/api/relationships", new { student_id = s2.Id });
        Assert.Equal(HttpStatusCode.Created, byId.StatusCode);
        var rel2Id = (await byId.ReadJsonAsync())["id"]!.GetValue<string>();

        var teacherList = (await (await teacher.Client.GetAsync("/api/relationships")).ReadJsonAsync())["items"]!.AsArray();
        Assert.Equal(2, teacherList.Count);
        var studentList = (await (await s1.Client.GetAsync("/api/relationships")).ReadJsonAsync())["items"]!.AsArray();
        Assert.Equal(rel1["id"]!.GetValue<string>(), Assert.Single(studentList)!["id"]!.GetValue<string>());

        // Another user cannot end it (404), the student can.
        var outsider = await factory.RegisterAsync("teacher");
        await (await outsider.Client.DeleteAsync($"/api/relationships/{rel1["id"]}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.NoContent, (await s1.Client.DeleteAsync($"/api/relationships/{rel1["id"]}")).StatusCode);
        // The teacher ends the other one.
        Assert.Equal(HttpStatusCode.NoContent, (await teacher.Client.DeleteAsync($"/api/relationships/{rel2Id}")).StatusCode);
        await (await teacher.Client.DeleteAsync($"/api/relationships/{rel2Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty((await (await teacher.Client.GetAsync("/api/relationships")).ReadJsonAsync())["items"]!.AsArray());
    }

    [Fact]
    public async Task Rules_duplicates_self_unknown_and_students_cannot_create()
    {
        var teacher = await factory.RegisterAsync("teacher");
        var student = await factory.RegisterAsync("student");
        Assert.Equal(HttpStatusCode.Created, (await teacher.Client.PostJsonAsync("/api/relationships", new { student_id = student.Id })).StatusCode);

        await (await teacher.Client.PostJsonAsync("/api/relationships", new { student_email = student.Email })).AssertProblemAsync(HttpStatusCode.Conflict, "conflict");
        await (await teacher.Client.PostJsonAsync("/api/relationships", new { student_id = teacher.Id })).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await teacher.Client.PostJsonAsync("/api/relationships", new { student_email = "ghost@example.com" })).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await teacher.Client.PostJsonAsync("/api/relationships", new { student_id = Guid.NewGuid() })).AssertProblemAsync(HttpStatusCode.NotFound);
        var otherTeacher = await factory.RegisterAsync("teacher");
        await (await teacher.Client.PostJsonAsync("/api/relationships", new { student_id = otherTeacher.Id })).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await teacher.Client.PostJsonAsync("/api/relationships", new { })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.PostJsonAsync("/api/relationships", new { student_email = "nope" })).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await teacher.Client.PostRawAsync("/api/relationships", """{"student_id":"not-a-guid"}""")).AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        var student2 = await factory.RegisterAsync("student");
        await (await student.Client.PostJsonAsync("/api/relationships", new { student_id = student2.Id })).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await factory.CreateClient().PostJsonAsync("/api/relationships", new { student_id = student2.Id })).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await factory.CreateClient().GetAsync("/api/relationships")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }
}
