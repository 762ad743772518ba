using System.Text.Json;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Api.Features.Projects;
using TeacherPlatform.Core.Common;
using TeacherPlatform.Core.Errors;
using TeacherPlatform.Core.Projects;

namespace TeacherPlatform.Api.Features.Annotations;

public sealed record CreateAnnotationRequest(Guid? ProjectId, int? PageNumber, string? AnnotationType, JsonElement? Content);

/// <summary>The type is fixed at creation; <c>content</c> is validated against it.</summary>
public sealed record UpdateAnnotationRequest(int? PageNumber, string? AnnotationType, JsonElement? Content);

public sealed record AnnotationResponse(Guid Id, Guid ProjectId, Guid AuthorId, string AuthorDisplayName, int PageNumber, string AnnotationType,
    JsonElement Content, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static AnnotationResponse From(Annotation a) => new(a.Id, a.ProjectId, a.AuthorId, a.AuthorDisplayName, a.PageNumber, a.AnnotationType,
        JsonDocument.Parse(a.Content).RootElement.Clone(), a.CreatedAt, a.UpdatedAt);
}

/// <summary>
/// Annotations follow the project's access: view reads; edit creates and changes/deletes one's own; project admin, owner and
/// platform admin change/delete any. An annotation of a project the caller may not see is 404, like the project.
/// </summary>
public static class AnnotationEndpoints
{
    public static IEndpointRouteBuilder MapAnnotationEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/annotations").WithTags("Annotations").RequireAuthorization();

        group.MapPost("/", async (CreateAnnotationRequest request, HttpContext http, ProjectService projects, AnnotationStore store, CancellationToken ct) =>
        {
            var caller = Caller.From(http.User);
            if (request.ProjectId is null) throw AppProblem.Validation("project_id", "'project_id' is required.");
            var access = await projects.RequireAsync(request.ProjectId.Value, caller, ProjectAccessLevel.Edit, ct);
            var project = RequireReady(access.Project);

            var v = new Validator();
            ValidatePage(v, request.PageNumber, project, required: true);
            v.OneOf("annotation_type", request.AnnotationType, AnnotationTypes.All);
            var content = AnnotationTypes.All.Contains(request.AnnotationType) ? AnnotationContent.Normalize(request.AnnotationType!, request.Content, v) : null;
            v.ThrowIfInvalid();

            var created = await store.CreateAsync(project.Id, caller.Id, request.PageNumber!.Value, request.AnnotationType!, content!, ct);
            return TypedResults.Created($"/api/annotations/{created.Id}", AnnotationResponse.From(created));
        }).WithSummary("Annotate a page (edit permission or more)");

        group.MapGet("/", async (Guid? project_id, int? page_number, int? page, int? page_size, HttpContext http, ProjectService projects,
            AnnotationStore store, CancellationToken ct) =>
        {
            if (project_id is null) throw AppProblem.Validation("project_id", "'project_id' is required.");
            var paging = PageRequest.From(page, page_size);
            new Validator().Range("page_number", page_number, 1, int.MaxValue).ThrowIfInvalid();
            var access = await projects.RequireAsync(project_id.Value, Caller.From(http.User), ProjectAccessLevel.View, ct);
            var list = await store.ListAsync(access.Project.Id, page_number, paging, ct);
            return TypedResults.Ok(new PagedList<AnnotationResponse>(list.Items.Select(AnnotationResponse.From).ToList(), list.Page, list.PageSize, list.Total));
        }).WithSummary("A project's annotations, optionally of one page");

        group.MapGet("/{id:guid}", async (Guid id, HttpContext http, ProjectService projects, AnnotationStore store, CancellationToken ct) =>
        {
            var (annotation, _) = await FindAsync(id, Caller.From(http.User), projects, store, ct);
            return TypedResults.Ok(AnnotationResponse.From(annotation));
        }).WithSummary("One annotation");

        group.MapPatch("/{id:guid}", async (Guid id, UpdateAnnotationRequest request, HttpContext http, ProjectService projects, AnnotationStore store,
            CancellationToken ct) =>
        {
            var caller = Caller.From(http.User);
            var (annotation, access) = await FindAsync(id, caller, projects, store, ct);
            RequireMayChange(annotation, access, caller);

            var v = new Validator();
            ValidatePage(v, request.PageNumber, access.Project, required: false);
            if (request.AnnotationType is not null && request.AnnotationType != annotation.AnnotationType)
                v.Add("annotation_type", "'annotation_type' cannot be changed; delete the annotation and create a new one.");
            var content = request.Content is null ? annotation.Content : AnnotationContent.Normalize(annotation.AnnotationType, request.Content, v);
            v.ThrowIfInvalid();

            var updated = await store.UpdateAsync(id, request.PageNumber ?? annotation.PageNumber, content!, ct) ?? throw AppProblem.NotFound("Annotation");
            return TypedResults.Ok(AnnotationResponse.From(updated));
        }).WithSummary("Move or change an annotation (its author with edit, or project admin/owner)");

        group.MapDelete("/{id:guid}", async (Guid id, HttpContext http, ProjectService projects, AnnotationStore store, CancellationToken ct) =>
        {
            var caller = Caller.From(http.User);
            var (annotation, access) = await FindAsync(id, caller, projects, store, ct);
            RequireMayChange(annotation, access, caller);
            if (!await store.DeleteAsync(id, ct)) throw AppProblem.NotFound("Annotation");
            return TypedResults.NoContent();
        }).WithSummary("Delete an annotation (its author with edit, or project admin/owner)");

        app.MapGet("/api/projects/{id:guid}/annotations/export", async (Guid id, HttpContext http, ProjectService projects, AnnotationStore store,
            CancellationToken ct) =>
        {
            var access = await projects.RequireAsync(id, Caller.From(http.User), ProjectAccessLevel.View, ct);
            var annotations = await store.ListAllAsync(id, ct);
            var request = http.Request;
            var baseUrl = $"{request.Scheme}://{request.Host}{request.PathBase}";
            return Results.Text(WebAnnotationExport.Build(access.Project, annotations, baseUrl).ToJsonString(), WebAnnotationExport.ContentType);
        }).WithTags("Annotations").RequireAuthorization()
            .WithSummary("The project's annotations as a W3C Web Annotation collection (JSON-LD)");

        return app;
    }

    private static async Task<(Annotation, ProjectWithAccess)> FindAsync(Guid id, Caller caller, ProjectService projects, AnnotationStore store, CancellationToken ct)
    {
        var annotation = await store.GetAsync(id, ct) ?? throw AppProblem.NotFound("Annotation");
        var access = await projects.RequireAsync(annotation.ProjectId, caller, ProjectAccessLevel.View, ct, what: "Annotation");
        return (annotation, access);
    }

    private static void RequireMayChange(Annotation annotation, ProjectWithAccess access, Caller caller)
    {
        if (access.Level >= ProjectAccessLevel.Admin) return;
        if (access.Level < ProjectAccessLevel.Edit) throw AppProblem.Forbidden("This needs edit permission on the project.");
        if (annotation.AuthorId != caller.Id) throw AppProblem.Forbidden("With edit permission you can change only your own annotations.");
    }

    private static Project RequireReady(Project project) =>
        project.IsReady ? project : throw AppProblem.Conflict("Confirm the project's upload before annotating it.");

    private static void ValidatePage(Validator v, int? pageNumber, Project project, bool required)
    {
        if (pageNumber is null)
        {
            if (required) v.Add("page_number", "'page_number' is required.");
            return;
        }
        var pages = project.PageCount ?? 0;
        if (pageNumber < 1 || pageNumber > pages) v.Add("page_number", $"'page_number' must be between 1 and {pages} (the project's page count).");
    }
}
