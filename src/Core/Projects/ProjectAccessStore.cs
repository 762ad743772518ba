using Dapper;
using TeacherPlatform.Core.Common;
using TeacherPlatform.Core.Identity;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Core.Projects;

/// <param name="Active">false while the grant does not count (a student no longer linked to the owner).</param>
public sealed record ProjectGrant(Guid ProjectId, UserSummary User, string Permission, Guid? GrantedBy, bool Active, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Grants of project access to other users (view / edit / admin).</summary>
public sealed class ProjectAccessStore(Db db, TimeProvider clock)
{
    private sealed class Row
    {
        public Guid ProjectId { get; init; }
        public Guid UserId { get; init; }
        public string Email { get; init; } = "";
        public string DisplayName { get; init; } = "";
        public string Role { get; init; } = "";
        public string Permission { get; init; } = "";
        public Guid? GrantedBy { get; init; }
        public bool Active { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public ProjectGrant ToModel() => new(ProjectId, new(UserId, Email, DisplayName, Role), Permission, GrantedBy, Active, CreatedAt, UpdatedAt);
    }

    private const string Select = $"""
        SELECT a.project_id, a.user_id, u.email, u.display_name, u.role, a.permission, a.granted_by,
               CASE WHEN {ProjectStore.EffectiveGrant} THEN TRUE ELSE FALSE END AS active, a.created_at, a.updated_at
        FROM project_access a JOIN users u ON u.id = a.user_id JOIN projects p ON p.id = a.project_id
        """;

    /// <summary>Creates or changes the grant of <paramref name="userId"/>.</summary>
    /// <returns>The grant, and whether it was created (false: an existing grant was changed).</returns>
    public async Task<(ProjectGrant Grant, bool Created)> UpsertAsync(Guid projectId, Guid userId, string permission, Guid grantedBy, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        var existed = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM project_access WHERE project_id = @projectId AND user_id = @userId", new { projectId, userId }, cancellationToken: ct)) > 0;
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO project_access (project_id, user_id, permission, granted_by, created_at, updated_at)
            VALUES (@projectId, @userId, @permission, @grantedBy, @now, @now)
            ON CONFLICT (project_id, user_id) DO UPDATE SET permission = excluded.permission, granted_by = excluded.granted_by, updated_at = excluded.updated_at
            """, new { projectId, userId, permission, grantedBy, now }, cancellationToken: ct));
        var row = await c.QuerySingleAsync<Row>(new CommandDefinition(
            $"{Select} WHERE a.project_id = @projectId AND a.user_id = @userId", new { projectId, userId }, cancellationToken: ct));
        return (row.ToModel(), !existed);
    }

    public async Task<PagedList<ProjectGrant>> ListAsync(Guid projectId, PageRequest page, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM project_access WHERE project_id = @projectId", new { projectId }, cancellationToken: ct));
        var rows = await c.QueryAsync<Row>(new CommandDefinition(
            $"{Select} WHERE a.project_id = @projectId ORDER BY a.created_at, a.user_id LIMIT @PageSize OFFSET @Offset",
            new { projectId, page.PageSize, page.Offset }, cancellationToken: ct));
        return new PagedList<ProjectGrant>(rows.Select(r => r.ToModel()).ToList(), page.Page, page.PageSize, total);
    }

    public async Task<bool> RevokeAsync(Guid projectId, Guid userId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM project_access WHERE project_id = @projectId AND user_id = @userId", new { projectId, userId }, cancellationToken: ct)) == 1;
    }
}
