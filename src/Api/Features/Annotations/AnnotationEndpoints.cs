using Microsoft.AspNetCore.Http.HttpResults;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Common;
using TeacherPlatform.Core.Projects;

namespace TeacherPlatform.Api.Features.Annotations;

/// <summary>Annotations on project pages. Rules (project access, validation of the content) are in <see cref="AnnotationService"/>.</summary>
public static class AnnotationEndpoints
{
    public static IServiceCollection AddAnnotations(this IServiceCollection services)
    {
        services.AddSingleton<AnnotationStore>();
        services.AddScoped<AnnotationService>();
        return services;
    }

    public static IEndpointRouteBuilder MapAnnotations(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/annotations").WithTags("Annotations");

        group.MapPost("/", CreateAsync).WithName("CreateAnnotation")
            .WithSummary("Annotate a page (edit permission or more)")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        group.MapGet("/", ListAsync).WithName("ListAnnotations")
            .WithSummary("A project's annotations, optionally of one page")
            .ProducesProblem(400).ProducesProblem(404);
        group.MapGet("/{id:guid}", GetAsync).WithName("GetAnnotation")
            .WithSummary("One annotation")
            .ProducesProblem(404);
        group.MapPatch("/{id:guid}", UpdateAsync).WithName("UpdateAnnotation")
            .WithSummary("Move or change an annotation (its author with edit, or project admin/owner)")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        group.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteAnnotation")
            .WithSummary("Delete an annotation (its author with edit, or project admin/owner)")
            .ProducesProblem(403).ProducesProblem(404);
        app.MapGet("/api/projects/{id:guid}/annotations/export", ExportAsync).WithName("ExportAnnotations").WithTags("Annotations")
            .WithSummary("The project's annotations as a W3C Web Annotation collection (JSON-LD)")
            .Produces(200, contentType: WebAnnotationExport.ContentType)
            .ProducesProblem(404);
        return app;
    }

    public static async Task<Created<AnnotationResponse>> CreateAsync(CreateAnnotationRequest request, Caller caller, AnnotationService service, CancellationToken ct)
    {
        var created = await service.CreateAsync(request, caller, ct);
        return TypedResults.Created($"/api/annotations/{created.Id}", created);
    }

    public static async Task<Ok<PagedList<AnnotationResponse>>> ListAsync(Guid? project_id, int? page_number, int? page, int? page_size, Caller caller,
        AnnotationService service, CancellationToken ct) =>
        TypedResults.Ok(await service.ListAsync(project_id, page_number, page, page_size, caller, ct));

    public static async Task<Ok<AnnotationResponse>> GetAsync(Guid id, Caller caller, AnnotationService service, CancellationToken ct) =>
        TypedResults.Ok(await service.GetAsync(id, caller, ct));

    public static async Task<Ok<AnnotationResponse>> UpdateAsync(Guid id, UpdateAnnotationRequest request, Caller caller, AnnotationService service,
        CancellationToken ct) =>
        TypedResults.Ok(await service.UpdateAsync(id, request, caller, ct));

    public static async Task<NoContent> DeleteAsync(Guid id, Caller caller, AnnotationService service, CancellationToken ct)
    {
        await service.DeleteAsync(id, caller, ct);
        return TypedResults.NoContent();
    }

    public static async Task<ContentHttpResult> ExportAsync(Guid id, HttpRequest request, Caller caller, AnnotationService service, CancellationToken ct)
    {
        var export = await service.ExportAsync(id, $"{request.Scheme}://{request.Host}{request.PathBase}", caller, ct);
        return TypedResults.Text(export.ToJsonString(), WebAnnotationExport.ContentType);
    }
}
