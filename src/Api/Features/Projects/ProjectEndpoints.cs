using Microsoft.AspNetCore.Http.HttpResults;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Authorization;
using TeacherPlatform.Core.Common;
using TeacherPlatform.Core.Projects;
using TeacherPlatform.Core.Storage;

namespace TeacherPlatform.Api.Features.Projects;

/// <summary>Projects: a PDF with its owner's grants. Rules (who may do what, validation) are in <see cref="ProjectService"/>.</summary>
public static class ProjectEndpoints
{
    public static IServiceCollection AddProjects(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProjectOptions>().Bind(configuration.GetSection(ProjectOptions.Section));
        services.AddSingleton<ProjectStore>();
        services.AddSingleton<ProjectAccessStore>();
        services.AddSingleton<IObjectAccessPolicy, ProjectObjectAccessPolicy>();
        services.AddScoped<ProjectService>();
        services.AddSingleton<ProjectCleanup>();
        services.AddHostedService<ProjectCleanupService>();
        return services;
    }

    public static IEndpointRouteBuilder MapProjects(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/projects").WithTags("Projects");

        group.MapPost("/", CreateAsync).WithName("CreateProject")
            .WithSummary("A teacher creates a project and gets a short-lived upload_url for the PDF")
            .RequireAuthorization(AuthorizationPolicies.TeacherOrAdmin).ProducesProblem(400).ProducesProblem(403);
        group.MapPost("/{id:guid}/confirm", ConfirmAsync).WithName("ConfirmProject")
            .WithSummary("Verify the uploaded PDF and record its size and page count (idempotent)")
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422);
        group.MapGet("/", ListAsync).WithName("ListProjects")
            .WithSummary("Projects the caller may see (own pending uploads included, for the owner only)")
            .ProducesProblem(400);
        group.MapGet("/{id:guid}", GetAsync).WithName("GetProject")
            .WithSummary("A project, with a short-lived download_url once confirmed")
            .ProducesProblem(404);
        group.MapPatch("/{id:guid}", UpdateAsync).WithName("UpdateProject")
            .WithSummary("Change title or description (owner, project admin or platform admin)")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        group.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteProject")
            .WithSummary("Delete the project, its file, annotations and grants (owner or platform admin)")
            .ProducesProblem(403).ProducesProblem(404);
        // GET and HEAD apart: one name (OpenAPI operationId) each.
        foreach (var (method, name) in new[] { (HttpMethods.Get, "StreamProject"), (HttpMethods.Head, "StreamProjectHead") })
            group.MapMethods("/{id:guid}/stream", [method], ProjectStreaming.StreamAsync).WithName(name)
                .WithSummary("Stream the PDF (Range, ETag/If-None-Match, Cache-Control: private)")
                .Produces(200, contentType: ProjectService.PdfContentType).Produces(206, contentType: ProjectService.PdfContentType).Produces(304)
                .ProducesProblem(404).ProducesProblem(409).ProducesProblem(416);
        group.MapPost("/{id:guid}/access", GrantAsync).WithName("GrantProjectAccess")
            .WithSummary("Grant (or change) view/edit/admin access: 201 when new, 200 when changed")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        group.MapGet("/{id:guid}/access", ListAccessAsync).WithName("ListProjectAccess")
            .WithSummary("Who has access (owner, project admin or platform admin)")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        group.MapDelete("/{id:guid}/access/{userId:guid}", RevokeAsync).WithName("RevokeProjectAccess")
            .WithSummary("Revoke a grant (admins), or give up one's own; effective at once, signed URLs included")
            .ProducesProblem(403).ProducesProblem(404);
        return app;
    }

    public static async Task<Created<CreateProjectResponse>> CreateAsync(CreateProjectRequest request, Caller caller, ProjectService service, CancellationToken ct)
    {
        var created = await service.CreateAsync(request, caller, ct);
        return TypedResults.Created($"/api/projects/{created.Project.Id}", created);
    }

    /// <remarks>The body is optional and ignored: the server records what it reads from the file.</remarks>
    public static async Task<Ok<ProjectResponse>> ConfirmAsync(Guid id, ConfirmProjectRequest? request, Caller caller, ProjectService service, CancellationToken ct) =>
        TypedResults.Ok(await service.ConfirmAsync(id, caller, ct));

    public static async Task<Ok<PagedList<ProjectResponse>>> ListAsync(string? q, Guid? owner_id, int? page, int? page_size, Caller caller,
        ProjectService service, CancellationToken ct) =>
        TypedResults.Ok(await service.ListAsync(caller, q, owner_id, page, page_size, ct));

    public static async Task<Ok<ProjectResponse>> GetAsync(Guid id, Caller caller, ProjectService service, CancellationToken ct) =>
        TypedResults.Ok(await service.GetAsync(id, caller, ct));

    public static async Task<Ok<ProjectResponse>> UpdateAsync(Guid id, UpdateProjectRequest request, Caller caller, ProjectService service, CancellationToken ct) =>
        TypedResults.Ok(await service.UpdateAsync(id, request, caller, ct));

    public static async Task<NoContent> DeleteAsync(Guid id, Caller caller, ProjectService service, CancellationToken ct)
    {
        await service.DeleteAsync(id, caller, ct);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Created<ProjectGrantResponse>, Ok<ProjectGrantResponse>>> GrantAsync(Guid id, GrantAccessRequest request,
        Caller caller, ProjectService service, CancellationToken ct)
    {
        var (grant, created) = await service.GrantAsync(id, request, caller, ct);
        return created ? TypedResults.Created($"/api/projects/{id}/access/{grant.User.Id}", grant) : TypedResults.Ok(grant);
    }

    public static async Task<Ok<PagedList<ProjectGrantResponse>>> ListAccessAsync(Guid id, int? page, int? page_size, Caller caller,
        ProjectService service, CancellationToken ct) =>
        TypedResults.Ok(await service.ListAccessAsync(id, caller, page, page_size, ct));

    public static async Task<NoContent> RevokeAsync(Guid id, Guid userId, Caller caller, ProjectService service, CancellationToken ct)
    {
        await service.RevokeAsync(id, userId, caller, ct);
        return TypedResults.NoContent();
    }
}
