namespace TeacherPlatform.Ai.VectorIndex;

/// <summary>A search hit: the caller's key and the cosine similarity (= dot product of unit vectors).</summary>
public readonly record struct VectorHit(int Key, float Score);

/// <summary>
/// An in-memory index of unit-normalised vectors keyed by int, searched by cosine similarity.
/// Implementations are safe for concurrent readers with writers serialised internally.
/// </summary>
public interface IVectorIndex
{
    int Count { get; }
    /// <summary>Adds or replaces the vector for <paramref name="key"/>; the vector must already be L2-normalised.</summary>
    void Upsert(int key, ReadOnlySpan<float> vector);
    bool Remove(int key);
    /// <summary>
    /// Up to <paramref name="k"/> hits, best first. <paramref name="filter"/> receives keys and is applied during the
    /// search, so a selective filter still yields k hits when that many keys pass it.
    /// </summary>
    IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, Func<int, bool>? filter = null, int? efSearch = null);
}
