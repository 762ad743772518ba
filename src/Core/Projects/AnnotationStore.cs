using Dapper;
using TeacherPlatform.Core.Common;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Core.Projects;

public static class AnnotationTypes
{
    public const string Highlight = "highlight", Note = "note", Drawing = "drawing";
    public static readonly string[] All = [Highlight, Note, Drawing];
}

/// <summary>A row of annotations; <see cref="Content"/> is the validated, compact JSON of the type's shape.</summary>
public sealed class Annotation
{
    public Guid Id { get; init; }
    public Guid ProjectId { get; init; }
    public Guid AuthorId { get; init; }
    public string AuthorDisplayName { get; init; } = "";
    public int PageNumber { get; init; }
    public string AnnotationType { get; init; } = AnnotationTypes.Note;
    public string Content { get; init; } = "{}";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Annotations of projects. Access checks happen before: every method here trusts its caller.</summary>
public sealed class AnnotationStore(Db db, TimeProvider clock)
{
    private const string Select = """
        SELECT n.id, n.project_id, n.author_id, u.display_name AS author_display_name, n.page_number, n.annotation_type, n.content,
               n.created_at, n.updated_at
        FROM annotations n JOIN users u ON u.id = n.author_id
        """;

    public async Task<Annotation> CreateAsync(Guid projectId, Guid authorId, int pageNumber, string type, string content, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO annotations (id, project_id, author_id, page_number, annotation_type, content, created_at, updated_at)
            VALUES (@id, @projectId, @authorId, @pageNumber, @type, @content, @now, @now)
            """, new { id, projectId, authorId, pageNumber, type, content, now }, cancellationToken: ct));
        return await c.QuerySingleAsync<Annotation>(new CommandDefinition($"{Select} WHERE n.id = @id", new { id }, cancellationToken: ct));
    }

    public async Task<Annotation?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<Annotation>(new CommandDefinition($"{Select} WHERE n.id = @id", new { id }, cancellationToken: ct));
    }

    public async Task<PagedList<Annotation>> ListAsync(Guid projectId, int? pageNumber, PageRequest page, CancellationToken ct)
    {
        var where = "WHERE n.project_id = @projectId" + (pageNumber is null ? "" : " AND n.page_number = @pageNumber");
        var args = new { projectId, pageNumber, page.PageSize, page.Offset };
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM annotations n {where}", args, cancellationToken: ct));
        var items = await c.QueryAsync<Annotation>(new CommandDefinition(
            $"{Select} {where} ORDER BY n.page_number, n.created_at, n.id LIMIT @PageSize OFFSET @Offset", args, cancellationToken: ct));
        return new PagedList<Annotation>(items.ToList(), page.Page, page.PageSize, total);
    }

    /// <summary>Every annotation of the project, in page order (for the W3C export).</summary>
    public async Task<IReadOnlyList<Annotation>> ListAllAsync(Guid projectId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var items = await c.QueryAsync<Annotation>(new CommandDefinition(
            $"{Select} WHERE n.project_id = @projectId ORDER BY n.page_number, n.created_at, n.id", new { projectId }, cancellationToken: ct));
        return items.ToList();
    }

    public async Task<Annotation?> UpdateAsync(Guid id, int pageNumber, string content, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.ExecuteAsync(new CommandDefinition(
            "UPDATE annotations SET page_number = @pageNumber, content = @content, updated_at = @now WHERE id = @id",
            new { id, pageNumber, content, now = clock.GetUtcNow() }, cancellationToken: ct));
        return rows == 0 ? null : await c.QuerySingleAsync<Annotation>(new CommandDefinition($"{Select} WHERE n.id = @id", new { id }, cancellationToken: ct));
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("DELETE FROM annotations WHERE id = @id", new { id }, cancellationToken: ct)) == 1;
    }
}
