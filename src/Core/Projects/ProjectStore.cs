using Dapper;
using TeacherPlatform.Core.Authorization;
using TeacherPlatform.Core.Common;
using TeacherPlatform.Core.Persistence;
using TeacherPlatform.Core.Storage;

namespace TeacherPlatform.Core.Projects;

/// <summary>
/// Projects and the one access rule every reader goes through: the owner and platform admins see everything; a
/// grantee sees a ready project while the grant is effective; nobody else learns it exists.
/// </summary>
public sealed class ProjectStore(Db db, TimeProvider clock)
{
    private const string Columns = """
        p.id, p.owner_id, o.display_name AS owner_display_name, p.title, p.description, p.filename, p.storage_key, p.status,
        p.file_size_bytes, p.page_count, p.upload_expires_at, p.confirmed_at, p.created_at, p.updated_at
        """;

    /// <summary>The grant rule (<see cref="ProjectAccess.EffectiveGrant"/>), kept here for the queries that join grants.</summary>
    public const string EffectiveGrant = ProjectAccess.EffectiveGrant;

    private const string From = $"""
        FROM projects p JOIN users o ON o.id = p.owner_id
        LEFT JOIN project_access a ON a.project_id = p.id AND a.user_id = @viewer AND {EffectiveGrant}
        """;

    public async Task<Project> CreateAsync(Guid ownerId, string title, string? description, string filename, TimeSpan uploadLifetime, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var args = new
        {
            id, ownerId, title, description, filename, storageKey = Project.StorageKeyFor(id), status = ProjectStatus.Pending,
            expires = now + uploadLifetime, now,
        };
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO projects (id, owner_id, title, description, filename, storage_key, status, file_size_bytes, page_count,
                upload_expires_at, confirmed_at, created_at, updated_at)
            VALUES (@id, @ownerId, @title, @description, @filename, @storageKey, @status, NULL, NULL, @expires, NULL, @now, @now)
            """, args, cancellationToken: ct));
        return await c.QuerySingleAsync<Project>(new CommandDefinition(
            $"SELECT {Columns} FROM projects p JOIN users o ON o.id = p.owner_id WHERE p.id = @id", new { id }, cancellationToken: ct));
    }

    /// <summary>The project with the viewer's access level; null when it does not exist or the viewer may not see it.</summary>
    public async Task<ProjectWithAccess?> GetForViewerAsync(Guid id, Guid viewer, bool viewerIsAdmin, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<Project, string?, ProjectWithAccess>(new CommandDefinition(
            $"SELECT {Columns}, a.permission AS granted {From} WHERE p.id = @id", new { id, viewer }, cancellationToken: ct),
            (project, granted) => new ProjectWithAccess(project, ProjectAccess.LevelOf(project, viewer, viewerIsAdmin, granted)), splitOn: "granted");
        var found = rows.SingleOrDefault();
        return found is null || found.Level == ProjectAccessLevel.None ? null : found;
    }

    public async Task<Project?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<Project>(new CommandDefinition(
            $"SELECT {Columns} FROM projects p JOIN users o ON o.id = p.owner_id WHERE p.id = @id", new { id }, cancellationToken: ct));
    }

    public async Task<PagedList<ProjectWithAccess>> ListForViewerAsync(Guid viewer, bool viewerIsAdmin, ProjectFilter filter, PageRequest page, CancellationToken ct)
    {
        var where = "WHERE (@isAdmin OR p.owner_id = @viewer OR (p.status = 'ready' AND a.permission IS NOT NULL))";
        if (filter.OwnerId is not null) where += " AND p.owner_id = @OwnerId";
        if (!string.IsNullOrWhiteSpace(filter.Query))
            where += $" AND ({db.Dialect.Contains("p.title", "Like")} OR {db.Dialect.Contains("p.description", "Like")} OR {db.Dialect.Contains("p.filename", "Like")})";
        var args = new
        {
            viewer, isAdmin = viewerIsAdmin, filter.OwnerId, Like = SqlDialect.ContainsPattern(filter.Query ?? ""), page.PageSize, page.Offset,
        };
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) {From} {where}", args, cancellationToken: ct));
        var items = await c.QueryAsync<Project, string?, ProjectWithAccess>(new CommandDefinition(
            $"SELECT {Columns}, a.permission AS granted {From} {where} ORDER BY p.created_at DESC, p.id DESC LIMIT @PageSize OFFSET @Offset",
            args, cancellationToken: ct),
            (project, granted) => new ProjectWithAccess(project, ProjectAccess.LevelOf(project, viewer, viewerIsAdmin, granted)), splitOn: "granted");
        return new PagedList<ProjectWithAccess>(items.ToList(), page.Page, page.PageSize, total);
    }

    public async Task UpdateAsync(Guid id, string title, string? description, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "UPDATE projects SET title = @title, description = @description, updated_at = @now WHERE id = @id",
            new { id, title, description, now = clock.GetUtcNow() }, cancellationToken: ct));
    }

    /// <returns>true when this call moved the project from pending to ready.</returns>
    public async Task<bool> MarkReadyAsync(Guid id, long fileSizeBytes, int pageCount, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("""
            UPDATE projects SET status = 'ready', file_size_bytes = @fileSizeBytes, page_count = @pageCount, confirmed_at = @now, updated_at = @now
            WHERE id = @id AND status = 'pending'
            """, new { id, fileSizeBytes, pageCount, now }, cancellationToken: ct)) == 1;
    }

    /// <summary>
    /// Removes the project, its annotations and grants (FK cascade) and queues its stored file in the
    /// <c>storage_deletions</c> outbox, in one transaction. The caller then deletes the file (a failure is retried by the cleanup job).
    /// </summary>
    /// <param name="onlyIfPendingBefore">Delete only a still-pending project whose upload expired before this instant.</param>
    /// <returns>The queued deletion, or null when nothing matched.</returns>
    public async Task<StorageDeletion?> DeleteAsync(Guid id, DateTimeOffset? onlyIfPendingBefore, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var sql = "DELETE FROM projects WHERE id = @id";
        if (onlyIfPendingBefore is not null) sql += " AND status = 'pending' AND upload_expires_at < @before";
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var key = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            sql + " RETURNING storage_key", new { id, before = onlyIfPendingBefore ?? now }, tx, cancellationToken: ct));
        if (key is null) return null;
        var deletion = await StorageDeletionOutbox.EnqueueAsync(c, tx, key, now, ct);
        await tx.CommitAsync(ct);
        return deletion;
    }

    /// <summary>Pending projects whose upload expired before <paramref name="before"/> (oldest first).</summary>
    public async Task<IReadOnlyList<Guid>> ExpiredPendingAsync(DateTimeOffset before, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var ids = await c.QueryAsync<Guid>(new CommandDefinition(
            "SELECT id FROM projects WHERE status = 'pending' AND upload_expires_at < @before ORDER BY upload_expires_at LIMIT @limit",
            new { before, limit }, cancellationToken: ct));
        return ids.ToList();
    }
}
