namespace TeacherPlatform.Ai.VectorIndex;

/// <summary>Options for <see cref="InProcessVectorIndex"/>.</summary>
/// <param name="HnswThreshold">From this many vectors on, searches use HNSW; below it exact search is both exact and fast.</param>
/// <param name="ForceHnsw">Use HNSW at any size (tests, benchmarks).</param>
/// <param name="Hnsw">Graph parameters; defaults when null.</param>
public sealed record InProcessVectorIndexOptions(int HnswThreshold = 20_000, bool ForceHnsw = false, HnswOptions? Hnsw = null)
{
    public InProcessVectorIndexOptions() : this(20_000, false, null) { }
}

/// <summary>
/// The embedded vector index: exact SIMD search for small corpora, HNSW once <see cref="InProcessVectorIndexOptions.HnswThreshold"/>
/// is crossed (built from the stored vectors at that moment, then maintained incrementally). The exact index stays the
/// source of truth, which lets the graph be rebuilt when tombstones pile up.
/// </summary>
public sealed class InProcessVectorIndex : IVectorIndex, IDisposable
{
    private readonly InProcessVectorIndexOptions _options;
    private readonly ExactVectorIndex _exact;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private HnswVectorIndex? _hnsw;

    public InProcessVectorIndex(int dimensions, InProcessVectorIndexOptions? options = null)
        : this(new ExactVectorIndex(dimensions), null, options) { }

    private InProcessVectorIndex(ExactVectorIndex exact, HnswVectorIndex? hnsw, InProcessVectorIndexOptions? options)
    {
        _options = options ?? new InProcessVectorIndexOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.HnswThreshold, 1);
        _exact = exact;
        _hnsw = hnsw;
    }

    public int Dimensions => _exact.Dimensions;
    public int Count => _exact.Count;

    /// <summary>Whether searches currently go through the HNSW graph.</summary>
    public bool UsesHnsw
    {
        get
        {
            _lock.EnterReadLock();
            try { return _hnsw is not null; }
            finally { _lock.ExitReadLock(); }
        }
    }

    public void Upsert(int key, ReadOnlySpan<float> vector)
    {
        _lock.EnterWriteLock();
        try
        {
            _exact.Upsert(key, vector);
            if (_hnsw is not null) _hnsw.Upsert(key, vector);
            else if (_options.ForceHnsw || _exact.Count >= _options.HnswThreshold) _hnsw = BuildGraph();
        }
        finally { _lock.ExitWriteLock(); }
    }

    public bool Remove(int key)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_exact.Remove(key)) return false;
            if (_hnsw is null) return true;
            _hnsw.Remove(key);
            if (!_options.ForceHnsw && _exact.Count < _options.HnswThreshold / 2)
            {
                // Hysteresis: only fall back to exact well below the threshold so upserts around it do not thrash.
                _hnsw.Dispose();
                _hnsw = null;
            }
            else if (_hnsw.TombstoneCount > _hnsw.Count)
            {
                // Tombstones still cost traversal; once they outnumber live nodes a rebuild is cheaper than keeping them.
                _hnsw.Dispose();
                _hnsw = BuildGraph();
            }
            return true;
        }
        finally { _lock.ExitWriteLock(); }
    }

    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, Func<int, bool>? filter = null, int? efSearch = null)
    {
        _lock.EnterReadLock();
        try
        {
            return _hnsw is not null
                ? _hnsw.Search(query, k, filter, efSearch)
                : _exact.Search(query, k, filter);
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>The stored keys (a copy).</summary>
    public int[] Keys() => _exact.Keys();

    /// <summary>
    /// Writes the index: the HNSW graph as it is (no rebuild needed to read it back), or the plain vectors below the
    /// threshold. The exact index is not written separately: it is the graph's live nodes.
    /// </summary>
    /// <returns>The number of live keys written and the largest of them (-1 when empty).</returns>
    public (int Count, long MaxKey) WriteTo(Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        _lock.EnterReadLock();
        try
        {
            writer.Write(_hnsw is not null);
            if (_hnsw is not null) _hnsw.WriteTo(writer);
            else _exact.WriteTo(writer);
            var keys = _exact.Keys();
            return (keys.Length, keys.Length == 0 ? -1 : keys.Max());
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote; throws <see cref="InvalidDataException"/> when it does not fit the options.</summary>
    public static InProcessVectorIndex ReadFrom(Stream stream, int dimensions, InProcessVectorIndexOptions? options = null)
    {
        options ??= new InProcessVectorIndexOptions();
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        if (!reader.ReadBoolean())
        {
            var plain = new InProcessVectorIndex(ExactVectorIndex.ReadFrom(reader, dimensions), null, options);
            // Saved below the threshold; if the options now want a graph, build it like an upsert crossing the threshold would.
            if (plain.Count > 0 && (options.ForceHnsw || plain.Count >= options.HnswThreshold)) plain._hnsw = plain.BuildGraph();
            return plain;
        }
        var graph = HnswVectorIndex.ReadFrom(reader, dimensions, options.Hnsw);
        var exact = new ExactVectorIndex(dimensions);
        graph.ForEachLive(exact.Upsert);
        return new InProcessVectorIndex(exact, graph, options);
    }

    private HnswVectorIndex BuildGraph()
    {
        var graph = new HnswVectorIndex(_exact.Dimensions, _options.Hnsw);
        _exact.ForEach(graph.Upsert);
        return graph;
    }

    public void Dispose()
    {
        _hnsw?.Dispose();
        _exact.Dispose();
        _lock.Dispose();
    }
}
