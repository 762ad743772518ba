using Dapper;
using TeacherPlatform.Core.Authorization;
using TeacherPlatform.Core.Common;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Core.Knowledge;

public sealed record DocumentFilter(string? SourceType, string? Status, string? Query);

/// <summary>
/// Knowledge documents and the visibility rule every reader goes through: public documents for everyone,
/// private ones for the owner and the owner's students, nobody else.
/// </summary>
public sealed class KnowledgeDocumentStore(Db db, TimeProvider clock)
{
    public const string Columns = "id, owner_id, title, source_type, is_public, source_url, filename, storage_key, status, stage, progress_done, progress_total, chunk_count, page_count, error_code, error_message, version, created_at, updated_at, processed_at";

    /// <summary>The visibility rule (<see cref="KnowledgeAccess.VisibleTo"/>): SQL over alias <c>d</c> with parameter <c>@viewer</c>.</summary>
    public const string VisibleTo = KnowledgeAccess.VisibleTo;

    public async Task<KnowledgeDocument> CreateAsync(Guid ownerId, string title, string sourceType, bool isPublic,
        string? sourceUrl, string? filename, Func<Guid, string?> storageKeyFor, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var doc = new KnowledgeDocument
        {
            Id = id, OwnerId = ownerId, Title = title, SourceType = sourceType, IsPublic = isPublic, SourceUrl = sourceUrl,
            Filename = filename, StorageKey = storageKeyFor(id), Status = DocumentStatus.Pending, Version = 1, CreatedAt = now, UpdatedAt = now,
        };
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO knowledge_documents ({Columns}) VALUES (@Id, @OwnerId, @Title, @SourceType, @IsPublic, @SourceUrl, @Filename, @StorageKey,
                @Status, NULL, 0, 0, 0, NULL, NULL, NULL, 1, @CreatedAt, @UpdatedAt, NULL)
            """, doc, cancellationToken: ct));
        return doc;
    }

    public async Task<KnowledgeDocument?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<KnowledgeDocument>(new CommandDefinition(
            $"SELECT {Columns} FROM knowledge_documents WHERE id = @id", new { id }, cancellationToken: ct));
    }

    public async Task<KnowledgeDocument?> GetVisibleAsync(Guid id, Guid viewer, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<KnowledgeDocument>(new CommandDefinition(
            $"SELECT {Columns} FROM knowledge_documents d WHERE d.id = @id AND {VisibleTo}", new { id, viewer }, cancellationToken: ct));
    }

    public async Task<PagedList<KnowledgeDocument>> ListVisibleAsync(Guid viewer, DocumentFilter filter, PageRequest page, CancellationToken ct)
    {
        var where = $"WHERE {VisibleTo}";
        if (filter.SourceType is not null) where += " AND d.source_type = @SourceType";
        if (filter.Status is not null) where += " AND d.status = @Status";
        if (!string.IsNullOrWhiteSpace(filter.Query)) where += $" AND {db.Dialect.Contains("d.title", "Like")}";
        var args = new
        {
            viewer, filter.SourceType, filter.Status, Like = SqlDialect.ContainsPattern(filter.Query ?? ""), page.PageSize, page.Offset,
        };
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM knowledge_documents d {where}", args, cancellationToken: ct));
        var items = await c.QueryAsync<KnowledgeDocument>(new CommandDefinition(
            $"SELECT {Columns} FROM knowledge_documents d {where} ORDER BY d.created_at DESC, d.id DESC LIMIT @PageSize OFFSET @Offset", args, cancellationToken: ct));
        return new PagedList<KnowledgeDocument>(items.ToList(), page.Page, page.PageSize, total);
    }

    /// <summary>
    /// A digest of exactly which documents (and which version of each) the viewer can see. Users with the same
    /// visible set share cache entries; any change to a visible document changes the digest.
    /// </summary>
    public async Task<string> ScopeVersionAsync(Guid viewer, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(Guid Id, int Version)>(new CommandDefinition(
            $"SELECT d.id, d.version FROM knowledge_documents d WHERE d.chunk_count > 0 AND {VisibleTo} ORDER BY d.id",
            new { viewer }, cancellationToken: ct));
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        Span<byte> buffer = stackalloc byte[20];
        foreach (var (id, version) in rows)
        {
            id.TryWriteBytes(buffer);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(buffer[16..], version);
            sha.AppendData(buffer);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// Deletes the document (chunks and jobs cascade) and, in the same transaction, queues its stored file in the
    /// storage-deletion outbox, so a storage failure can never leave an orphan file behind.
    /// </summary>
    /// <returns>The queued file deletion, if the document had a file; null when it had none or did not exist.</returns>
    public async Task<(bool Deleted, Storage.StorageDeletion? File)> DeleteAsync(Guid id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var key = await c.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            $"SELECT storage_key FROM knowledge_documents WHERE id = @id {db.Dialect.ForUpdate}", new { id }, tx, cancellationToken: ct));
        var deleted = await c.ExecuteAsync(new CommandDefinition("DELETE FROM knowledge_documents WHERE id = @id", new { id }, tx, cancellationToken: ct)) == 1;
        Storage.StorageDeletion? file = deleted && key is not null
            ? await Storage.StorageDeletionOutbox.EnqueueAsync(c, tx, key, clock.GetUtcNow(), ct)
            : null;
        await tx.CommitAsync(ct);
        return (deleted, file);
    }

    public async Task UpdateProgressAsync(Guid id, string status, string? stage, int done, int total, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            UPDATE knowledge_documents SET status = @status, stage = @stage, progress_done = @done, progress_total = @total,
                error_code = NULL, error_message = NULL, updated_at = @now WHERE id = @id
            """, new { id, status, stage, done, total, now = clock.GetUtcNow() }, cancellationToken: ct));
    }

    public async Task MarkFailedAsync(Guid id, string code, string message, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            UPDATE knowledge_documents SET status = 'failed', error_code = @code, error_message = @message, updated_at = @now WHERE id = @id
            """, new { id, code, message, now = clock.GetUtcNow() }, cancellationToken: ct));
    }
}
