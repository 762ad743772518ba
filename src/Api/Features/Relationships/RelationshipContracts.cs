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

