using Microsoft.AspNetCore.Http.HttpResults;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Common;

namespace TeacherPlatform.Api.Features.Relationships;

/// <summary>Teacher–student relationships. Rules (who may invite or accept, validation) are in <see cref="RelationshipService"/>.</summary>
public static class RelationshipEndpoints
{
    public static IServiceCollection AddRelationships(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RelationshipOptions>().Bind(configuration.GetSection(RelationshipOptions.Section))
            .Validate(o => o.InvitationLifetime > TimeSpan.Zero, "Relationships:InvitationLifetime must be positive.")
            .Validate(o => o.PruneInterval > TimeSpan.Zero, "Relationships:PruneInterval must be positive.");
        services.AddScoped<RelationshipService>();
        services.AddHostedService<StaleRowPruner>();
        return services;
    }

    public static IEndpointRouteBuilder MapRelationships(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/relationships").WithTags("Relationships");

        group.MapPost("/", InviteAsync).WithName("InviteStudent")
            .WithSummary("A teacher invites a student by email or id (202, the same answer whether or not the account exists)")
            .RequireAuthorization(AuthorizationPolicies.TeacherOnly).ProducesProblem(400).ProducesProblem(403);
        group.MapPost("/{id:guid}/accept", AcceptAsync).WithName("AcceptInvitation")
            .WithSummary("The invited student accepts an invitation")
            .RequireAuthorization(AuthorizationPolicies.StudentOnly).ProducesProblem(404);
        group.MapGet("/", ListAsync).WithName("ListRelationships")
            .WithSummary("Relationships and pending invitations of the caller, as teacher or as student")
            .ProducesProblem(400);
        group.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteRelationship")
            .WithSummary("Either side ends a relationship, withdraws or declines an invitation")
            .ProducesProblem(404);
        return app;
    }

    public static async Task<Accepted<InvitationResponse>> InviteAsync(CreateRelationshipRequest request, Caller caller, RelationshipService service,
        CancellationToken ct)
    {
        var invitation = await service.InviteAsync(request, caller, ct);
        return TypedResults.Accepted($"/api/relationships/{invitation.Id}", invitation);
    }

    public static async Task<Ok<RelationshipItem>> AcceptAsync(Guid id, Caller caller, RelationshipService service, CancellationToken ct) =>
        TypedResults.Ok(await service.AcceptAsync(id, caller, ct));

    public static async Task<Ok<PagedList<RelationshipItem>>> ListAsync(string? status, int? page, int? page_size, Caller caller, RelationshipService service,
        CancellationToken ct) =>
        TypedResults.Ok(await service.ListAsync(status, page, page_size, caller, ct));

    public static async Task<NoContent> DeleteAsync(Guid id, Caller caller, RelationshipService service, CancellationToken ct)
    {
        await service.DeleteAsync(id, caller, ct);
        return TypedResults.NoContent();
    }
}
