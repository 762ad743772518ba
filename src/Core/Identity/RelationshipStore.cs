using Dapper;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Core.Identity;

public sealed record UserSummary(Guid Id, string Email, string DisplayName, string Role);

public sealed record Relationship(Guid Id, UserSummary Teacher, UserSummary Student, DateTimeOffset CreatedAt);

/// <summary>Teacher–student links: who may see a teacher's private material and receive their shares.</summary>
public sealed class RelationshipStore(Db db, TimeProvider clock)
{
    private sealed class Row
    {
        public Guid Id { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public Guid TId { get; init; }
        public string TEmail { get; init; } = "";
        public string TName { get; init; } = "";
        public string TRole { get; init; } = "";
        public Guid SId { get; init; }
        public string SEmail { get; init; } = "";
        public string SName { get; init; } = "";
        public string SRole { get; init; } = "";
        public Relationship ToModel() => new(Id, new(TId, TEmail, TName, TRole), new(SId, SEmail, SName, SRole), CreatedAt);
    }

    private const string Select = """
        SELECT r.id, r.created_at,
               t.id AS t_id, t.email AS t_email, t.display_name AS t_name, t.role AS t_role,
               s.id AS s_id, s.email AS s_email, s.display_name AS s_name, s.role AS s_role
        FROM relationships r JOIN users t ON t.id = r.teacher_id JOIN users s ON s.id = r.student_id
        """;

    /// <returns>The relationship, or null when the pair is already linked.</returns>
    public async Task<Relationship?> CreateAsync(Guid teacherId, Guid studentId, CancellationToken ct = default)
    {
        var id = Guid.CreateVersion7(clock.GetUtcNow());
        await using var c = await db.OpenAsync(ct);
        var rows = await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO relationships (id, teacher_id, student_id, created_at) VALUES (@id, @teacherId, @studentId, @now) ON CONFLICT DO NOTHING",
            new { id, teacherId, studentId, now = clock.GetUtcNow() }, cancellationToken: ct));
        if (rows == 0) return null;
        var row = await c.QuerySingleAsync<Row>(new CommandDefinition($"{Select} WHERE r.id = @id", new { id }, cancellationToken: ct));
        return row.ToModel();
    }

    public async Task<IReadOnlyList<Relationship>> ListForUserAsync(Guid userId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition(
            $"{Select} WHERE r.teacher_id = @userId OR r.student_id = @userId ORDER BY r.created_at, r.id", new { userId }, cancellationToken: ct));
        return rows.Select(r => r.ToModel()).ToList();
    }

    /// <summary>Deletes the link if <paramref name="userId"/> is one of its two sides (or an admin).</summary>
    public async Task<bool> DeleteAsync(Guid id, Guid userId, bool isAdmin, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM relationships WHERE id = @id AND (@isAdmin OR teacher_id = @userId OR student_id = @userId)",
            new { id, userId, isAdmin }, cancellationToken: ct));
        return rows == 1;
    }

    public async Task<bool> ExistsAsync(Guid teacherId, Guid studentId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM relationships WHERE teacher_id = @teacherId AND student_id = @studentId",
            new { teacherId, studentId }, cancellationToken: ct)) > 0;
    }
}
