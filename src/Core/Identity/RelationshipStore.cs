using Dapper;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Core.Identity;

public sealed record UserSummary(Guid Id, string Email, string DisplayName, string Role);

public static class RelationshipStatus
{
    public const string Pending = "pending";
    public const string Active = "active";
    public static readonly string[] All = [Pending, Active];
}

/// <summary>An active teacher–student link (an accepted invitation).</summary>
public sealed record Relationship(Guid Id, UserSummary Teacher, UserSummary Student, DateTimeOffset CreatedAt, DateTimeOffset? AcceptedAt)
{
    public string Status => RelationshipStatus.Active;
}

/// <summary>
/// A pending invitation. Addressed by email (waits for that registration) or by user id; whether an account exists
/// behind it is never part of what the teacher sees.
/// </summary>
public sealed record Invitation(Guid Id, UserSummary Teacher, string? StudentEmail, Guid? StudentId, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt)
{
    public string Status => RelationshipStatus.Pending;
}

/// <summary>
/// Teacher–student links: who may see a teacher's private material and receive their shares. Only rows of
/// <c>relationships</c> (accepted invitations) count; <c>relationship_invitations</c> holds the pending ones.
/// </summary>
public sealed class RelationshipStore(Db db, TimeProvider clock)
{
    private sealed class Row
    {
        public Guid Id { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? AcceptedAt { get; init; }
        public Guid TId { get; init; }
        public string TEmail { get; init; } = "";
        public string TName { get; init; } = "";
        public string TRole { get; init; } = "";
        public Guid SId { get; init; }
        public string SEmail { get; init; } = "";
        public string SName { get; init; } = "";
        public string SRole { get; init; } = "";
        public Relationship ToModel() => new(Id, new(TId, TEmail, TName, TRole), new(SId, SEmail, SName, SRole), CreatedAt, AcceptedAt ?? CreatedAt);
    }

    private sealed class InvitationRow
    {
        public Guid Id { get; init; }
        public Guid TId { get; init; }
        public string TEmail { get; init; } = "";
        public string TName { get; init; } = "";
        public string TRole { get; init; } = "";
        public string? StudentEmail { get; init; }
        public Guid? StudentId { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset ExpiresAt { get; init; }
        public Invitation ToModel() => new(Id, new(TId, TEmail, TName, TRole), StudentEmail, StudentId, CreatedAt, ExpiresAt);
    }

    private sealed class PendingRow
    {
        public Guid TeacherId { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
    }

    private const string Select = """
        SELECT r.id, r.created_at, r.accepted_at,
               t.id AS t_id, t.email AS t_email, t.display_name AS t_name, t.role AS t_role,
               s.id AS s_id, s.email AS s_email, s.display_name AS s_name, s.role AS s_role
        FROM relationships r JOIN users t ON t.id = r.teacher_id JOIN users s ON s.id = r.student_id
        """;

    private const string SelectInvitation = """
        SELECT i.id, i.student_email, i.student_id, i.created_at, i.expires_at,
               t.id AS t_id, t.email AS t_email, t.display_name AS t_name, t.role AS t_role
        FROM relationship_invitations i JOIN users t ON t.id = i.teacher_id
        """;

    /// <summary>
    /// Invites a student by email or by id. A pending invitation for the same pair is renewed (same id) rather than
    /// duplicated.
    /// </summary>
    public async Task<Invitation> InviteAsync(Guid teacherId, string? studentEmail, Guid? studentId, TimeSpan lifetime, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var expires = now + lifetime;
        var normalized = studentEmail is null ? null : User.Normalize(studentEmail);
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var existing = await c.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition("""
            SELECT id FROM relationship_invitations
            WHERE teacher_id = @teacherId AND expires_at > @now
              AND (student_email_normalized = @normalized OR student_id = @studentId)
            ORDER BY created_at LIMIT 1
            """, new { teacherId, now, normalized, studentId }, tx, cancellationToken: ct));
        Guid id;
        if (existing is { } found)
        {
            id = found;
            await c.ExecuteAsync(new CommandDefinition(
                "UPDATE relationship_invitations SET expires_at = @expires WHERE id = @id", new { id, expires }, tx, cancellationToken: ct));
        }
        else
        {
            id = Guid.CreateVersion7(now);
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO relationship_invitations (id, teacher_id, student_email, student_email_normalized, student_id, created_at, expires_at)
                VALUES (@id, @teacherId, @studentEmail, @normalized, @studentId, @now, @expires)
                """, new { id, teacherId, studentEmail = studentEmail?.Trim(), normalized, studentId, now, expires }, tx, cancellationToken: ct));
        }

        var row = await c.QuerySingleAsync<InvitationRow>(new CommandDefinition($"{SelectInvitation} WHERE i.id = @id", new { id }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return row.ToModel();
    }

    /// <summary>
    /// The invited student accepts: the invitation becomes an active relationship with the same id, atomically.
    /// </summary>
    /// <returns>The active relationship, or null when no unexpired invitation with this id is addressed to the student.</returns>
    public async Task<Relationship?> AcceptAsync(Guid invitationId, User student, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var found = await c.QuerySingleOrDefaultAsync<PendingRow>(new CommandDefinition("""
            SELECT teacher_id, created_at FROM relationship_invitations
            WHERE id = @invitationId AND expires_at > @now AND teacher_id <> @studentId
              AND (student_id = @studentId OR student_email_normalized = @email)
            """, new { invitationId, now, studentId = student.Id, email = student.EmailNormalized }, tx, cancellationToken: ct));
        if (found is null) return null;

        // Deleting first claims the invitation: of two concurrent accepts only one sees a row deleted.
        var claimed = await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM relationship_invitations WHERE id = @invitationId", new { invitationId }, tx, cancellationToken: ct));
        if (claimed == 0) return null;
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO relationships (id, teacher_id, student_id, created_at, accepted_at)
            VALUES (@invitationId, @teacherId, @studentId, @createdAt, @now)
            ON CONFLICT DO NOTHING
            """, new { invitationId, teacherId = found.TeacherId, studentId = student.Id, createdAt = found.CreatedAt, now }, tx, cancellationToken: ct));
        // Already linked through another invitation: that relationship stands.
        var row = await c.QuerySingleAsync<Row>(new CommandDefinition(
            $"{Select} WHERE r.teacher_id = @teacherId AND r.student_id = @studentId", new { teacherId = found.TeacherId, studentId = student.Id }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return row.ToModel();
    }

    public async Task<IReadOnlyList<Relationship>> ListActiveAsync(Guid userId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition(
            $"{Select} WHERE r.teacher_id = @userId OR r.student_id = @userId ORDER BY r.created_at, r.id", new { userId }, cancellationToken: ct));
        return rows.Select(r => r.ToModel()).ToList();
    }

    /// <summary>
    /// Unexpired invitations sent by <paramref name="user"/> or, when they are a student, addressed to them (by id or
    /// email): only a student can accept one, so a teacher invited by email does not see it.
    /// </summary>
    public async Task<IReadOnlyList<Invitation>> ListPendingAsync(User user, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<InvitationRow>(new CommandDefinition($"""
            {SelectInvitation}
            WHERE i.expires_at > @now AND (i.teacher_id = @id OR (@isStudent AND (i.student_id = @id OR i.student_email_normalized = @email)))
            ORDER BY i.created_at, i.id
            """, new { id = user.Id, email = user.EmailNormalized, isStudent = user.Role == Roles.Student, now = clock.GetUtcNow() }, cancellationToken: ct));
        return rows.Select(r => r.ToModel()).ToList();
    }

    /// <summary>
    /// Ends a relationship or removes an invitation (withdrawn by the teacher or declined by the student) when
    /// <paramref name="user"/> is one of its sides, or an admin.
    /// </summary>
    public async Task<bool> DeleteAsync(Guid id, User user, CancellationToken ct = default)
    {
        var isAdmin = user.IsAdmin;
        await using var c = await db.OpenAsync(ct);
        var rows = await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM relationships WHERE id = @id AND (@isAdmin OR teacher_id = @userId OR student_id = @userId)",
            new { id, userId = user.Id, isAdmin }, cancellationToken: ct));
        if (rows == 1) return true;
        rows = await c.ExecuteAsync(new CommandDefinition("""
            DELETE FROM relationship_invitations
            WHERE id = @id AND (@isAdmin OR teacher_id = @userId OR student_id = @userId OR student_email_normalized = @email)
            """, new { id, userId = user.Id, email = user.EmailNormalized, isAdmin }, cancellationToken: ct));
        return rows == 1;
    }

    public async Task<bool> ExistsAsync(Guid teacherId, Guid studentId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM relationships WHERE teacher_id = @teacherId AND student_id = @studentId",
            new { teacherId, studentId }, cancellationToken: ct)) > 0;
    }

    /// <summary>Removes invitations that expired more than <paramref name="olderThan"/> ago.</summary>
    public async Task<int> PruneExpiredInvitationsAsync(TimeSpan olderThan, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM relationship_invitations WHERE expires_at < @cutoff", new { cutoff = clock.GetUtcNow() - olderThan }, cancellationToken: ct));
    }
}
