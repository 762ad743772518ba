using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Errors;
using TeacherPlatform.Core.Identity;

namespace TeacherPlatform.Api.Features.Relationships;

public sealed record CreateRelationshipRequest(string? StudentEmail, Guid? StudentId);

public static class RelationshipEndpoints
{
    public static IEndpointRouteBuilder MapRelationshipEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/relationships").WithTags("Relationships").RequireAuthorization();

        group.MapPost("/", async (CreateRelationshipRequest request, HttpContext http, UserStore users, RelationshipStore store, CancellationToken ct) =>
        {
            var caller = Caller.From(http.User);
            if (!caller.IsTeacher) throw AppProblem.Forbidden("Only teachers can add students.");
            var v = new Validator();
            if (request.StudentId is null && string.IsNullOrWhiteSpace(request.StudentEmail))
                v.Add("student_email", "Give 'student_email' or 'student_id'.");
            else if (request.StudentId is not null && request.StudentEmail is not null)
                v.Add("student_email", "Give either 'student_email' or 'student_id', not both.");
            else if (request.StudentEmail is not null) v.Email("student_email", request.StudentEmail);
            v.ThrowIfInvalid();

            var student = request.StudentId is { } id ? await users.FindByIdAsync(id, ct) : await users.FindByEmailAsync(request.StudentEmail!, ct);
            if (student is null || student.Role != Roles.Student) throw AppProblem.NotFound("Student");
            if (student.Id == caller.Id) throw AppProblem.Validation("student_id", "A teacher cannot add themselves.");
            var created = await store.CreateAsync(caller.Id, student.Id, ct)
                ?? throw AppProblem.Conflict("This student is already linked to you.");
            return TypedResults.Created($"/api/relationships/{created.Id}", created);
        }).WithSummary("A teacher adds a student by email or id");

        group.MapGet("/", async (HttpContext http, RelationshipStore store, CancellationToken ct) =>
            TypedResults.Ok(new { items = await store.ListForUserAsync(http.User.UserId(), ct) }))
            .WithSummary("Relationships of the caller, as teacher or as student");

        group.MapDelete("/{id:guid}", async (Guid id, HttpContext http, RelationshipStore store, CancellationToken ct) =>
        {
            var caller = Caller.From(http.User);
            if (!await store.DeleteAsync(id, caller.Id, caller.IsAdmin, ct)) throw AppProblem.NotFound("Relationship");
            return TypedResults.NoContent();
        }).WithSummary("Either side ends a relationship");

        return app;
    }
}
