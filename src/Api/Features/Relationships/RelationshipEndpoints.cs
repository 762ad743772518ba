using Microsoft.Extensions.Options;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Errors;
using TeacherPlatform.Core.Identity;

namespace TeacherPlatform.Api.Features.Relationships;

public sealed record CreateRelationshipRequest(string? StudentEmail, Guid? StudentId);

/// <summary>The answer to an invitation: the same whether or not an account with that email exists.</summary>
public sealed record InvitationResponse(Guid Id, string Status, string? StudentEmail, DateTimeOffset ExpiresAt);

/// <summary>One item of the list: an active relationship or a pending invitation (teacher side never sees who is behind it).</summary>
public sealed record RelationshipItem(
    Guid Id, string Status, UserSummary Teacher, UserSummary? Student, string? StudentEmail,
    DateTimeOffset CreatedAt, DateTimeOffset? AcceptedAt, DateTimeOffset? ExpiresAt)
{
    public static RelationshipItem From(Relationship r) => new(r.Id, r.Status, r.Teacher, r.Student, null, r.CreatedAt, r.AcceptedAt, null);
    public static RelationshipItem From(Invitation i) => new(i.Id, i.Status, i.Teacher, null, i.StudentEmail, i.CreatedAt, null, i.ExpiresAt);
}

public sealed class RelationshipOptions
{
    public const string Section = "Relationships";
    /// <summary>How long an invitation can be accepted.</summary>
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(14);
    /// <summary>How often expired invitations and idle login-throttle rows are deleted (<see cref="StaleRowPruner"/>).</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);
}

public static class RelationshipEndpoints
{
    public static IServiceCollection AddRelationships(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RelationshipOptions>().Bind(configuration.GetSection(RelationshipOptions.Section))
            .Validate(o => o.InvitationLifetime > TimeSpan.Zero, "Relationships:InvitationLifetime must be positive.")
            .Validate(o => o.PruneInterval > TimeSpan.Zero, "Relationships:PruneInterval must be positive.");
        services.AddHostedService<StaleRowPruner>();
        return services;
    }

    public static IEndpointRouteBuilder MapRelationshipEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/relationships").WithTags("Relationships").RequireAuthorization();

        group.MapPost("/", async (CreateRelationshipRequest request, HttpContext http, UserStore users, RelationshipStore store,
            IOptions<RelationshipOptions> options, CancellationToken ct) =>
        {
            var caller = Caller.From(http.User);
            if (!caller.IsTeacher) throw AppProblem.Forbidden("Only teachers can invite students.");
            var v = new Validator();
            if (request.StudentId is null && string.IsNullOrWhiteSpace(request.StudentEmail))
                v.Add("student_email", "Give 'student_email' or 'student_id'.");
            else if (request.StudentId is not null && request.StudentEmail is not null)
                v.Add("student_email", "Give either 'student_email' or 'student_id', not both.");
            else if (request.StudentEmail is not null) v.Email("student_email", request.StudentEmail);
            v.ThrowIfInvalid();

            var me = await CurrentUserAsync(users, caller, ct);
            if (request.StudentId == me.Id || (request.StudentEmail is { } e && User.Normalize(e) == me.EmailNormalized))
                throw AppProblem.Validation(request.StudentId is null ? "student_email" : "student_id", "A teacher cannot invite themselves.");

            // Whether the address belongs to an account (or to a student) is not revealed: every invitation is
            // answered alike, and only the addressee, once signed in as a student, can accept it.
            var invitation = await store.InviteAsync(me.Id, request.StudentEmail, request.StudentId, options.Value.InvitationLifetime, ct);
            return TypedResults.Accepted($"/api/relationships/{invitation.Id}",
                new InvitationResponse(invitation.Id, invitation.Status, invitation.StudentEmail, invitation.ExpiresAt));
        }).WithSummary("A teacher invites a student by email or id (202, the same answer whether or not the account exists)");

        group.MapPost("/{id:guid}/accept", async (Guid id, HttpContext http, UserStore users, RelationshipStore store, CancellationToken ct) =>
        {
            var caller = Caller.From(http.User);
            if (!caller.IsStudent) throw AppProblem.NotFound("Invitation");
            var me = await CurrentUserAsync(users, caller, ct);
            var relationship = await store.AcceptAsync(id, me, ct) ?? throw AppProblem.NotFound("Invitation");
            return TypedResults.Ok(RelationshipItem.From(relationship));
        }).WithSummary("The invited student accepts an invitation");

        group.MapGet("/", async (string? status, HttpContext http, UserStore users, RelationshipStore store, CancellationToken ct) =>
        {
            var v = new Validator();
            if (status is not null) v.OneOf("status", status, RelationshipStatus.All);
            v.ThrowIfInvalid();
            var me = await CurrentUserAsync(users, Caller.From(http.User), ct);
            var items = new List<RelationshipItem>();
            if (status is null or RelationshipStatus.Active)
                items.AddRange((await store.ListActiveAsync(me.Id, ct)).Select(RelationshipItem.From));
            if (status is null or RelationshipStatus.Pending)
                items.AddRange((await store.ListPendingAsync(me, ct)).Select(RelationshipItem.From));
            return TypedResults.Ok(new { items });
        }).WithSummary("Relationships and pending invitations of the caller, as teacher or as student");

        group.MapDelete("/{id:guid}", async (Guid id, HttpContext http, UserStore users, RelationshipStore store, CancellationToken ct) =>
        {
            var me = await CurrentUserAsync(users, Caller.From(http.User), ct);
            if (!await store.DeleteAsync(id, me, ct)) throw AppProblem.NotFound("Relationship");
            return TypedResults.NoContent();
        }).WithSummary("Either side ends a relationship, withdraws or declines an invitation");

        return app;
    }

    private static async Task<User> CurrentUserAsync(UserStore users, Caller caller, CancellationToken ct) =>
        await users.FindByIdAsync(caller.Id, ct) ?? throw AppProblem.Unauthorized("invalid_token", "The token's user does not exist.");
}
