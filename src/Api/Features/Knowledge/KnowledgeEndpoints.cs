using Microsoft.AspNetCore.Http.HttpResults;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Authorization;
using TeacherPlatform.Core.Common;
using TeacherPlatform.Core.Storage;

namespace TeacherPlatform.Api.Features.Knowledge;

/// <summary>Knowledge documents. Rules (visibility, who may publish or manage, validation) are in <see cref="KnowledgeService"/>.</summary>
public static class KnowledgeEndpoints
{
    public static IServiceCollection AddKnowledge(this IServiceCollection services)
    {
        services.AddScoped<KnowledgeService>();
        services.AddSingleton<IObjectAccessPolicy, KnowledgeObjectAccessPolicy>();
        return services;
    }

    public static IEndpointRouteBuilder MapKnowledge(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/knowledge").WithTags("Knowledge");

        group.MapPost("/", CreateAsync).WithName("CreateKnowledgeDocument")
            .WithSummary("Create a knowledge document; PUT the file to upload_url, then POST /process")
            .ProducesProblem(400).ProducesProblem(403);
        group.MapGet("/", ListAsync).WithName("ListKnowledgeDocuments")
            .WithSummary("Documents the caller may see (filters: source_type, status, q)")
            .ProducesProblem(400);
        group.MapGet("/{id:guid}", GetAsync).WithName("GetKnowledgeDocument")
            .WithSummary("A document the caller may see")
            .ProducesProblem(404);
        group.MapGet("/{id:guid}/status", GetStatusAsync).WithName("GetKnowledgeDocumentStatus")
            .WithSummary("Ingestion status with stage and progress")
            .ProducesProblem(404);
        group.MapPost("/{id:guid}/process", ProcessAsync).WithName("ProcessKnowledgeDocument")
            .WithSummary("Queue (re-)processing; poll the status endpoint")
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        group.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteKnowledgeDocument")
            .WithSummary("Delete the document, its file, chunks and cached answers")
            .ProducesProblem(403).ProducesProblem(404);
        return app;
    }

    public static async Task<Created<CreateKnowledgeResponse>> CreateAsync(CreateKnowledgeRequest request, Caller caller, KnowledgeService service,
        CancellationToken ct)
    {
        var created = await service.CreateAsync(caller, request, ct);
        return TypedResults.Created($"/api/knowledge/{created.Document.Id}", created);
    }

    public static async Task<Ok<PagedList<KnowledgeDocumentResponse>>> ListAsync(string? source_type, string? status, string? q, int? page, int? page_size,
        Caller caller, KnowledgeService service, CancellationToken ct)
    {
        var list = await service.ListAsync(caller, source_type, status, q, page, page_size, ct);
        return TypedResults.Ok(new PagedList<KnowledgeDocumentResponse>(list.Items.Select(KnowledgeDocumentResponse.From).ToList(), list.Page, list.PageSize, list.Total));
    }

    public static async Task<Ok<KnowledgeDocumentResponse>> GetAsync(Guid id, Caller caller, KnowledgeService service, CancellationToken ct) =>
        TypedResults.Ok(KnowledgeDocumentResponse.From(await service.GetVisibleAsync(caller, id, ct)));

    public static async Task<Ok<KnowledgeStatusResponse>> GetStatusAsync(Guid id, Caller caller, KnowledgeService service, CancellationToken ct) =>
        TypedResults.Ok(KnowledgeStatusResponse.From(await service.GetVisibleAsync(caller, id, ct)));

    public static async Task<Accepted<KnowledgeStatusResponse>> ProcessAsync(Guid id, Caller caller, KnowledgeService service, CancellationToken ct)
    {
        var doc = await service.ProcessAsync(caller, id, ct);
        return TypedResults.Accepted($"/api/knowledge/{id}/status", KnowledgeStatusResponse.From(doc));
    }

    public static async Task<NoContent> DeleteAsync(Guid id, Caller caller, KnowledgeService service, CancellationToken ct)
    {
        await service.DeleteAsync(caller, id, ct);
        return TypedResults.NoContent();
    }
}
