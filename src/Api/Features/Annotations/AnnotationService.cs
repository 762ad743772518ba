using System.Text.Json.Nodes;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Api.Features.Projects;
using TeacherPlatform.Core.Common;
using TeacherPlatform.Core.Errors;
using TeacherPlatform.Core.Projects;

namespace TeacherPlatform.Api.Features.Annotations;

/// <summary>
/// Annotations follow the project's access: view reads; edit creates and changes/deletes one's own; project admin, owner and
/// platform admin change/delete any. An annotation of a project the caller may not see is 404, like the project.
/// </summary>
public sealed class AnnotationService(ProjectService projects, AnnotationStore store)
{
    public async Task<AnnotationResponse> CreateAsync(CreateAnnotationRequest request, Caller caller, CancellationToken ct)
    {
        if (request.ProjectId is null) throw AppProblem.Validation("project_id", "'project_id' is required.");
        var access = await projects.RequireAsync(request.ProjectId.Value, caller, ProjectAccessLevel.Edit, ct);
        var project = RequireReady(access.Project);

        var v = new Validator();
        ValidatePage(v, request.PageNumber, project, required: true);
        v.OneOf("annotation_type", request.AnnotationType, AnnotationTypes.All);
        var content = AnnotationTypes.All.Contains(request.AnnotationType) ? AnnotationContent.Normalize(request.AnnotationType!, request.Content, v) : null;
        v.ThrowIfInvalid();

        return AnnotationResponse.From(await store.CreateAsync(project.Id, caller.Id, request.PageNumber!.Value, request.AnnotationType!, content!, ct));
    }

    public async Task<PagedList<AnnotationResponse>> ListAsync(Guid? projectId, int? pageNumber, int? page, int? pageSize, Caller caller, CancellationToken ct)
    {
        if (projectId is null) throw AppProblem.Validation("project_id", "'project_id' is required.");
        var paging = PageRequest.From(page, pageSize);
        new Validator().Range("page_number", pageNumber, 1, int.MaxValue).ThrowIfInvalid();
        var access = await projects.RequireAsync(projectId.Value, caller, ProjectAccessLevel.View, ct);
        var list = await store.ListAsync(access.Project.Id, pageNumber, paging, ct);
        return new PagedList<AnnotationResponse>(list.Items.Select(AnnotationResponse.From).ToList(), list.Page, list.PageSize, list.Total);
    }

    public async Task<AnnotationResponse> GetAsync(Guid id, Caller caller, CancellationToken ct) =>
        AnnotationResponse.From((await FindAsync(id, caller, ct)).Annotation);

    public async Task<AnnotationResponse> UpdateAsync(Guid id, UpdateAnnotationRequest request, Caller caller, CancellationToken ct)
    {
        var (annotation, access) = await FindAsync(id, caller, ct);
        RequireMayChange(annotation, access, caller);

        var v = new Validator();
        ValidatePage(v, request.PageNumber, access.Project, required: false);
        if (request.AnnotationType is not null && request.AnnotationType != annotation.AnnotationType)
            v.Add("annotation_type", "'annotation_type' cannot be changed; delete the annotation and create a new one.");
        var content = request.Content is null ? annotation.Content : AnnotationContent.Normalize(annotation.AnnotationType, request.Content, v);
        v.ThrowIfInvalid();

        var updated = await store.UpdateAsync(id, request.PageNumber ?? annotation.PageNumber, content!, ct) ?? throw AppProblem.NotFound("Annotation");
        return AnnotationResponse.From(updated);
    }

    public async Task DeleteAsync(Guid id, Caller caller, CancellationToken ct)
    {
        var (annotation, access) = await FindAsync(id, caller, ct);
        RequireMayChange(annotation, access, caller);
        if (!await store.DeleteAsync(id, ct)) throw AppProblem.NotFound("Annotation");
    }

    /// <summary>The project's annotations as a W3C Web Annotation collection whose ids start with <paramref name="baseUrl"/>.</summary>
    public async Task<JsonObject> ExportAsync(Guid projectId, string baseUrl, Caller caller, CancellationToken ct)
    {
        var access = await projects.RequireAsync(projectId, caller, ProjectAccessLevel.View, ct);
        return WebAnnotationExport.Build(access.Project, await store.ListAllAsync(projectId, ct), baseUrl);
    }

    private async Task<(Annotation Annotation, ProjectWithAccess Access)> FindAsync(Guid id, Caller caller, CancellationToken ct)
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
