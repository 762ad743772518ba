using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TeacherPlatform.Core.Configuration;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Tests.Operations;

/// <summary>
/// An embedded database written before the chunks' source field (migration 0008) is upgraded in place: its full-text
/// index is rebuilt with the second column, the old chunks stay searchable, and deleting them keeps the index consistent.
/// </summary>
public sealed class KeywordSourceMigrationTests
{
    [Fact]
    public async Task Chunks_indexed_before_the_source_field_stay_searchable_and_deletable_after_the_upgrade()
    {
        var data = Directory.CreateTempSubdirectory("tp-upgrade-").FullName;
        await using var db = new Db(Options.Create(new DatabaseOptions()), Options.Create(new DataOptions { Directory = data }), NullLoggerFactory.Instance);
        await using (var c = await db.OpenAsync())
        {
            await ApplyScriptsBeforeAsync(c, "0008");
            await c.ExecuteAsync("""
                INSERT INTO users (id, email, email_normalized, display_name, role, created_at, updated_at)
                VALUES ('u1', 't@example.com', 'T@EXAMPLE.COM', 'T', 'teacher', '2026-01-01', '2026-01-01');
                INSERT INTO knowledge_documents (id, owner_id, title, source_type, created_at, updated_at)
                VALUES ('d1', 'u1', 'Old book', 'pdf', '2026-01-01', '2026-01-01');
                INSERT INTO knowledge_chunks (id, document_id, chunk_index, text, page_number, page_end, start_char, end_char, token_count, embedding)
                VALUES ('c1', 'd1', 0, 'Practise the arpeggio slowly.', 1, 1, 0, 29, 6, x''),
                       ('c2', 'd1', 1, 'Pedal lightly in slow movements.', 2, 2, 0, 32, 6, x'');
                """);
        }

        var applied = await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).MigrateAsync();

        Assert.Contains("0008_keyword_source", applied);
        await using (var c = await db.OpenAsync())
        {
            Assert.Equal(1, await c.ExecuteScalarAsync<long>("SELECT count(*) FROM knowledge_chunks_fts WHERE knowledge_chunks_fts MATCH 'arpeggio'"));
            Assert.Equal(["", ""], await c.QueryAsync<string>("SELECT source FROM knowledge_chunks ORDER BY seq"));

            await c.ExecuteAsync("DELETE FROM knowledge_chunks WHERE id = 'c1'");
            await c.ExecuteAsync("""
                INSERT INTO knowledge_chunks (id, document_id, chunk_index, text, page_number, page_end, start_char, end_char, token_count, embedding, source)
                VALUES ('c3', 'd1', 2, 'Scales with a quiet hand.', 3, 3, 0, 25, 6, x'', 'Thomas Tapper')
                """);

            Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT count(*) FROM knowledge_chunks_fts WHERE knowledge_chunks_fts MATCH 'arpeggio'"));
            Assert.Equal(1, await c.ExecuteScalarAsync<long>("SELECT count(*) FROM knowledge_chunks_fts WHERE knowledge_chunks_fts MATCH 'tapper'"));
            // FTS5 compares its index with the content table: a delete with other values than were indexed fails here.
            await c.ExecuteAsync("INSERT INTO knowledge_chunks_fts (knowledge_chunks_fts) VALUES ('integrity-check')");
        }
    }

    /// <summary>Runs the embedded SQLite migrations older than <paramref name="version"/> and records them as applied.</summary>
    private static async Task ApplyScriptsBeforeAsync(System.Data.Common.DbConnection c, string version)
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var prefix = $"{assembly.GetName().Name}.Persistence.Migrations.sqlite.";
        await c.ExecuteAsync("CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var script = name[prefix.Length..^4];
            if (string.CompareOrdinal(script, version) >= 0) continue;
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            await c.ExecuteAsync(await reader.ReadToEndAsync());
            await c.ExecuteAsync("INSERT INTO schema_migrations (version, applied_at) VALUES (@script, '2026-01-01')", new { script });
        }
    }
}
