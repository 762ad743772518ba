using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Hybrid;
using TeacherPlatform.Ai.Embeddings;
using TeacherPlatform.Core.Telemetry;

namespace TeacherPlatform.Ai.Retrieval;

/// <summary>First cache layer: query embeddings, keyed by the query weights' id (<see cref="IEmbeddingModel.QueryModelId"/>:
/// an fp32 query vector is never served where int8 queries are configured, or the other way round) and the normalised query.</summary>
public sealed class QueryEmbeddingCache(IEmbeddingModel model, HybridCache cache, AppTelemetry telemetry)
{
    private static readonly HybridCacheEntryOptions Entry = new() { Expiration = TimeSpan.FromHours(6), LocalCacheExpiration = TimeSpan.FromHours(1) };
    private static readonly KeyValuePair<string, object?> Layer = new("layer", "embedding");

    public async ValueTask<float[]> GetAsync(string query, CancellationToken ct)
    {
        var key = "emb:" + CacheKeys.Hash(model.QueryModelId, CacheKeys.NormalizeQuery(query));
        var missed = false;
        var vector = await cache.GetOrCreateAsync(key, (model, query), async (state, token) =>
        {
            missed = true;
            return await state.model.EmbedQueryAsync(state.query, token);
        }, Entry, cancellationToken: ct);
        (missed ? telemetry.CacheMisses : telemetry.CacheHits).Add(1, Layer);
        return vector;
    }
}

public static class CacheKeys
{
    /// <summary>Whitespace-collapsed, lower-cased, trimmed; "What is X?" and "what is x ?" share a key.</summary>
    public static string NormalizeQuery(string query)
    {
        var sb = new StringBuilder(query.Length);
        var space = false;
        foreach (var ch in query.Trim().ToLowerInvariant())
        {
            if (char.IsWhiteSpace(ch)) { space = true; continue; }
            if (space && sb.Length > 0 && ch is not ('?' or '.' or '!')) sb.Append(' ');
            space = false;
            sb.Append(ch);
        }
        return sb.ToString().TrimEnd('?', '.', '!', ' ');
    }

    /// <summary>SHA-256 over every part that changes the result, separated unambiguously.</summary>
    public static string Hash(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts))));
}
