using System.Data.Common;
using Dapper;
using TeacherPlatform.Core.Knowledge;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Ai.Retrieval;

/// <summary>SQL shared by both providers: hydrating hits, deleting and counting chunks.</summary>
internal static class ChunkQueries
{
    private sealed class DetailsRow
    {
        public long Seq { get; init; }
        public Guid Id { get; init; }
        public Guid DocumentId { get; init; }
        public string Title { get; init; } = "";
        public string SourceType { get; init; } = "";
        public int PageNumber { get; init; }
        public int PageEnd { get; init; }
        public double? StartSeconds { get; init; }
        public string Text { get; init; } = "";
        public int Version { get; init; }
    }

    public static async Task<IReadOnlyList<ChunkDetails>> GetDetailsAsync(DbConnection c, SqlDialect dialect, IReadOnlyCollection<long> seqs, CancellationToken ct)
    {
        if (seqs.Count == 0) return [];
        var rows = await c.QueryAsync<DetailsRow>(new CommandDefinition($"""
            SELECT c.seq, c.id, c.document_id, d.title, d.source_type, c.page_number, c.page_end, c.start_seconds, c.text, d.version
            FROM knowledge_chunks c JOIN knowledge_documents d ON d.id = c.document_id
            WHERE {dialect.InList("c.seq", "seqs")}
            """, new { seqs = dialect.IntegerList(seqs) }, cancellationToken: ct));
        return rows.Select(r => new ChunkDetails(r.Seq, r.Id, r.DocumentId, r.Title, r.SourceType, r.PageNumber, r.PageEnd, r.StartSeconds, r.Text, r.Version)).ToList();
    }

    /// <summary>Marks the document completed with its new chunk count; bumps its version (cache scopes change with it).</summary>
    public static Task<int> CompleteDocumentAsync(DbConnection c, DbTransaction tx, Guid documentId, int chunkCount, int? pageCount, DateTimeOffset now, CancellationToken ct) =>
        c.ExecuteAsync(new CommandDefinition("""
            UPDATE knowledge_documents SET status = 'completed', stage = 'completed', progress_done = @chunkCount, progress_total = @chunkCount,
                chunk_count = @chunkCount, page_count = COALESCE(@pageCount, page_count), error_code = NULL, error_message = NULL,
                version = version + 1, processed_at = @now, updated_at = @now
            WHERE id = @documentId
            """, new { documentId, chunkCount, pageCount, now }, tx, cancellationToken: ct));

    /// <summary>Visibility predicate plus the optional document filter, over aliases c/d.</summary>
    public static string ScopeFilter(SearchScope scope, SqlDialect dialect) =>
        KnowledgeDocumentStore.VisibleTo + (scope.DocumentIds is { Count: > 0 } ? " AND " + dialect.InList("c.document_id", "docs") : "");

    public static object ScopeArgs(SearchScope scope, SqlDialect dialect, object extra)
    {
        var args = new DynamicParameters(extra);
        args.Add("viewer", scope.ViewerId);
        if (scope.DocumentIds is { Count: > 0 } docs) args.Add("docs", dialect.GuidList(docs));
        return args;
    }
}
