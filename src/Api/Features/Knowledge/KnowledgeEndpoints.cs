using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Common;

namespace TeacherPlatform.Api.Features.Knowledge;

public static class KnowledgeEndpoints
{
    public static IEndpointRouteBuilder MapKnowledgeEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/knowledge").WithTags("Knowledge").RequireAuthorization();

        group.MapPost("/", async (CreateKnowledgeRequest request, HttpContext http, KnowledgeService service, CancellationToken ct) =>
        {
            var created = await service.CreateAsync(Caller.From(http.User), request, ct);
            return TypedResults.Created($"/api/knowledge/{created.Document.Id}", created);
        }).WithSummary("Create a knowledge document; PUT the file to upload_url, then POST /process");

        group.MapGet("/", async (HttpContext http, KnowledgeService service, string? source_type, string? status, string? q, int? page, int? page_size, CancellationToken ct) =>
        {
            var list = await service.ListAsync(Caller.From(http.User), source_type, status, q, page, page_size, ct);
            return TypedResults.Ok(new PagedList<KnowledgeDocumentResponse>(list.Items.Select(KnowledgeDocumentResponse.From).ToList(), list.Page, list.PageSize, list.Total));
        }).WithSummary("Documents the caller may see (filters: source_type, status, q)");

        group.MapGet("/{id:guid}", async (Guid id, HttpContext http, KnowledgeService service, CancellationToken ct) =>
            TypedResults.Ok(KnowledgeDocumentResponse.From(await service.GetVisibleAsync(Caller.From(http.User), id, ct))));

        group.MapGet("/{id:guid}/status", async (Guid id, HttpContext http, KnowledgeService service, CancellationToken ct) =>
            TypedResults.Ok(KnowledgeStatusResponse.From(await service.GetVisibleAsync(Caller.From(http.User), id, ct))))
            .WithSummary("Ingestion status with stage and progress");

        group.MapPost("/{id:guid}/process", async (Guid id, HttpContext http, KnowledgeService service, CancellationToken ct) =>
        {
            var doc = await service.ProcessAsync(Caller.From(http.User), id, ct);
            return TypedResults.Accepted($"/api/knowledge/{id}/status", KnowledgeStatusResponse.From(doc));
        }).WithSummary("Queue (re-)processing; poll the status endpoint");

        group.MapDelete("/{id:guid}", async (Guid id, HttpContext http, KnowledgeService service, CancellationToken ct) =>
        {
            await service.DeleteAsync(Caller.From(http.User), id, ct);
            return TypedResults.NoContent();
        }).WithSummary("Delete the document, its file, chunks and cached answers");

        return app;
    }
}
