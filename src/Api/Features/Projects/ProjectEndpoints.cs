using TeacherPlatform.Api.Auth;

namespace TeacherPlatform.Api.Features.Projects;

public static class ProjectEndpoints
{
    public static IEndpointRouteBuilder MapProjectEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/projects").WithTags("Projects").RequireAuthorization();

        group.MapPost("/", async (CreateProjectRequest request, HttpContext http, ProjectService service, CancellationToken ct) =>
        {
            var created = await service.CreateAsync(request, Caller.From(http.User), ct);
            return TypedResults.Created($"/api/projects/{created.Project.Id}", created);
        }).WithSummary("A teacher creates a project and gets a short-lived upload_url for the PDF");

        group.MapPost("/{id:guid}/confirm", async (Guid id, ConfirmProjectRequest? request, HttpContext http, ProjectService service, CancellationToken ct) =>
            TypedResults.Ok(await service.ConfirmAsync(id, Caller.From(http.User), ct)))
            .WithSummary("Verify the uploaded PDF and record its size and page count (idempotent)");

        group.MapGet("/", async (string? q, Guid? owner_id, int? page, int? page_size, HttpContext http, ProjectService service, CancellationToken ct) =>
            TypedResults.Ok(await service.ListAsync(Caller.From(http.User), q, owner_id, page, page_size, ct)))
            .WithSummary("Projects the caller may see (own pending uploads included, for the owner only)");

        group.MapGet("/{id:guid}", async (Guid id, HttpContext http, ProjectService service, CancellationToken ct) =>
            TypedResults.Ok(await service.GetAsync(id, Caller.From(http.User), ct)))
            .WithSummary("A project, with a short-lived download_url once confirmed");

        group.MapPatch("/{id:guid}", async (Guid id, UpdateProjectRequest request, HttpContext http, ProjectService service, CancellationToken ct) =>
            TypedResults.Ok(await service.UpdateAsync(id, request, Caller.From(http.User), ct)))
            .WithSummary("Change title or description (owner, project admin or platform admin)");

        group.MapDelete("/{id:guid}", async (Guid id, HttpContext http, ProjectService service, CancellationToken ct) =>
        {
            await service.DeleteAsync(id, Caller.From(http.User), ct);
            return TypedResults.NoContent();
        }).WithSummary("Delete the project, its file, annotations and grants (owner or platform admin)");

        group.MapMethods("/{id:guid}/stream", [HttpMethods.Get, HttpMethods.Head], ProjectStreaming.StreamAsync)
            .WithSummary("Stream the PDF (Range, ETag/If-None-Match, Cache-Control: private)");

        group.MapPost("/{id:guid}/access", async (Guid id, GrantAccessRequest request, HttpContext http, ProjectService service, CancellationToken ct) =>
        {
            var (grant, created) = await service.GrantAsync(id, request, Caller.From(http.User), ct);
            return created
                ? Results.Created($"/api/projects/{id}/access/{grant.User.Id}", grant)
                : Results.Ok(grant);
        }).WithSummary("Grant (or change) view/edit/admin access: 201 when new, 200 when changed");

        group.MapGet("/{id:guid}/access", async (Guid id, int? page, int? page_size, HttpContext http, ProjectService service, CancellationToken ct) =>
            TypedResults.Ok(await service.ListAccessAsync(id, Caller.From(http.User), page, page_size, ct)))
            .WithSummary("Who has access (owner, project admin or platform admin)");

        group.MapDelete("/{id:guid}/access/{userId:guid}", async (Guid id, Guid userId, HttpContext http, ProjectService service, CancellationToken ct) =>
        {
            await service.RevokeAsync(id, userId, Caller.From(http.User), ct);
            return TypedResults.NoContent();
        }).WithSummary("Revoke a grant (admins), or give up one's own; effective at once, signed URLs included");

        return app;
    }
}
