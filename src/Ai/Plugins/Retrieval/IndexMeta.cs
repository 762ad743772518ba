using System.Data.Common;
using Dapper;

namespace TeacherPlatform.Ai.Retrieval;

/// <summary>The embedding model recorded with the index; a different model is refused, never silently mixed.</summary>
internal static class IndexMeta
{
    public const string ModelKey = "embedding_model", DimensionsKey = "embedding_dimensions", ChunksVersionKey = "chunks_version";

    public static async Task<(string? Model, int? Dimensions)> ReadModelAsync(DbConnection c, DbTransaction? tx = null)
    {
        var rows = (await c.QueryAsync<(string Key, string Value)>("SELECT key, value FROM index_meta WHERE key IN (@m, @d)",
            new { m = ModelKey, d = DimensionsKey }, tx)).ToDictionary(r => r.Key, r => r.Value);
        return (rows.GetValueOrDefault(ModelKey), rows.TryGetValue(DimensionsKey, out var d) ? int.Parse(d) : null);
    }

    public static Task WriteAsync(DbConnection c, string key, string value, DbTransaction? tx = null) =>
        c.ExecuteAsync("INSERT INTO index_meta (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            new { key, value }, tx);

    public static async Task<long> ReadChunksVersionAsync(DbConnection c) =>
        long.TryParse(await c.ExecuteScalarAsync<string?>("SELECT value FROM index_meta WHERE key = @k", new { k = ChunksVersionKey }), out var v) ? v : 0;

    public static Task BumpChunksVersionAsync(DbConnection c, DbTransaction tx, long value) => WriteAsync(c, ChunksVersionKey, value.ToString(), tx);

    public static void EnsureSameModel(string? recordedModel, int? recordedDims, string modelId, int dimensions)
    {
        if (recordedModel is null) return;
        if (recordedModel != modelId || recordedDims != dimensions)
            throw new EmbeddingModelMismatchException(
                $"The knowledge index was built with embedding model '{recordedModel}' ({recordedDims} dimensions) but the service is " +
                $"configured with '{modelId}' ({dimensions} dimensions). Vectors of different models cannot be mixed: either configure " +
                $"'{recordedModel}' again, or run `dotnet run --project src/Api -- reindex` to re-embed every chunk with '{modelId}'.");
    }
}

public sealed class EmbeddingModelMismatchException(string message) : Exception(message);
