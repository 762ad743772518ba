using Microsoft.AspNetCore.Http.HttpResults;
using TeacherPlatform.Api.Auth;

namespace TeacherPlatform.Api.Features.Search;

/// <summary>Search over the knowledge base. Rules (validation, visibility scope) are in <see cref="SearchService"/>.</summary>
public static class SearchEndpoints
{
    public static IServiceCollection AddSearch(this IServiceCollection services)
    {
        services.AddScoped<SearchService>();
        return services;
    }

    public static IEndpointRouteBuilder MapSearch(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/search", SearchAsync).WithName("Search").WithTags("Search")
            .WithSummary("Hybrid (vector + keyword, RRF), vector-only or keyword-only search over visible documents")
            .ProducesProblem(400);
        return app;
    }

    public static async Task<Ok<SearchResponse>> SearchAsync(SearchRequest request, Caller caller, SearchService service, CancellationToken ct) =>
        TypedResults.Ok(await service.SearchAsync(request, caller, ct));
}
