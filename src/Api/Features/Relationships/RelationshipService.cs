using Microsoft.Extensions.Options;
using TeacherPlatform.Api.Auth;
using TeacherPlatform.Core.Authorization;
using TeacherPlatform.Core.Common;
using TeacherPlatform.Core.Errors;
using TeacherPlatform.Core.Identity;

namespace TeacherPlatform.Api.Features.Relationships;

/// <summary>Teacher–student links: invitations (answered alike whether or not the address has an account), acceptance, listing, ending.</summary>
public sealed class RelationshipService(UserStore users, RelationshipStore store, IOptions<RelationshipOptions> options)
{
    public async Task<InvitationResponse> InviteAsync(CreateRelationshipRequest request, Caller caller, CancellationToken ct)
    {
        // The role rule is the endpoint's TeacherOnly policy; checked again for callers other than the endpoint.
        if (!RoleRules.MayInviteStudents(caller.Role)) throw AppProblem.Forbidden("Only teachers can invite students.");
        var v = new Validator();
        if (request.StudentId is null && string.IsNullOrWhiteSpace(request.StudentEmail))
            v.Add("student_email", "Give 'student_email' or 'student_id'.");
        else if (request.StudentId is not null && request.StudentEmail is not null)
            v.Add("student_email", "Give either 'student_email' or 'student_id', not both.");
        else if (request.StudentEmail is not null) v.Email("student_email", request.StudentEmail);
        v.ThrowIfInvalid();

        var me = await CurrentUserAsync(caller, ct);
        if (request.StudentId == me.Id || (request.StudentEmail is { } e && User.Normalize(e) == me.EmailNormalized))
            throw AppProblem.Validation(request.StudentId is null ? "student_email" : "student_id", "A teacher cannot invite themselves.");

        // Whether the address belongs to an account (or to a student) is not revealed: every invitation is
        // answered alike, and only the addressee, once signed in as a student, can accept it.
        var invitation = await store.InviteAsync(me.Id, request.StudentEmail, request.StudentId, options.Value.InvitationLifetime, ct);
        return new InvitationResponse(invitation.Id, invitation.Status, invitation.StudentEmail, invitation.ExpiresAt);
    }

    public async Task<RelationshipItem> AcceptAsync(Guid id, Caller caller, CancellationToken ct)
    {
        // The role rule is the endpoint's StudentOnly policy; anyone else learns nothing about the invitation.
        if (!RoleRules.MayAcceptInvitations(caller.Role)) throw AppProblem.NotFound("Invitation");
        var me = await CurrentUserAsync(caller, ct);
        var relationship = await store.AcceptAsync(id, me, ct) ?? throw AppProblem.NotFound("Invitation");
        return RelationshipItem.From(relationship);
    }

    /// <summary>Active relationships, then pending invitations, paginated like every list (SPEC: page, page_size ≤ 100).</summary>
    public async Task<PagedList<RelationshipItem>> ListAsync(string? status, int? page, int? pageSize, Caller caller, CancellationToken ct)
    {
        var v = new Validator();
        if (status is not null) v.OneOf("status", status, RelationshipStatus.All);
        v.ThrowIfInvalid();
        var paging = PageRequest.From(page, pageSize);
        var me = await CurrentUserAsync(caller, ct);
        var items = new List<RelationshipItem>();
        if (status is null or RelationshipStatus.Active)
            items.AddRange((await store.ListActiveAsync(me.Id, ct)).Select(RelationshipItem.From));
        if (status is null or RelationshipStatus.Pending)
            items.AddRange((await store.ListPendingAsync(me, ct)).Select(RelationshipItem.From));
        return new PagedList<RelationshipItem>(items.Skip(paging.Offset).Take(paging.PageSize).ToList(), paging.Page, paging.PageSize, items.Count);
    }

    public async Task DeleteAsync(Guid id, Caller caller, CancellationToken ct)
    {
        var me = await CurrentUserAsync(caller, ct);
        if (!await store.DeleteAsync(id, me, ct)) throw AppProblem.NotFound("Relationship");
    }

    private async Task<User> CurrentUserAsync(Caller caller, CancellationToken ct) =>
        await users.FindByIdAsync(caller.Id, ct) ?? throw AppProblem.Unauthorized("invalid_token", "The token's user does not exist.");
}
