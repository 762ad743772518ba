using System.Collections.Concurrent;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace TeacherPlatform.Ai.VectorIndex;

/// <summary>
/// Hierarchical navigable small world graph over unit vectors (similarity = dot product).
/// Writers are serialised by a writer lock; any number of readers search concurrently.
/// Removal and replacement leave a tombstone: the node keeps routing searches but is never returned.
/// </summary>
public sealed class HnswVectorIndex : IVectorIndex, IDisposable
{
    private const int MaxLevel = 16;

    private readonly HnswOptions _options;
    private readonly int _m;
    private readonly int _m0;
    private readonly double _levelMultiplier;
    private Random _random;
    private VectorPool _vectors;
    private readonly Dictionary<int, int> _nodeByKey = [];
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly ConcurrentBag<VisitedSet> _visitedPool = [];

    private int[] _keyByNode = new int[256];
    private bool[] _deleted = new bool[256];
    // _links[node][level] = [count, neighbour1, neighbour2, ...] with room for M (2·M on layer 0).
    private int[][][] _links = new int[256][][];
    private int _entryPoint = -1;
    private int _topLevel = -1;

    public HnswVectorIndex(int dimensions, HnswOptions? options = null)
    {
        _options = options ?? new HnswOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.M, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.EfConstruction, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.EfSearch, 1);
        _m = _options.M;
        _m0 = 2 * _options.M;
        _levelMultiplier = 1 / Math.Log(_options.M);
        _random = new Random(_options.Seed);
        _vectors = new VectorPool(dimensions);
    }

    public int Dimensions => _vectors.Dimensions;
    public HnswOptions Options => _options;

    public int Count => Read(() => _nodeByKey.Count);

    /// <summary>Nodes kept only for routing (removed or replaced keys).</summary>
    public int TombstoneCount => Read(() => _vectors.Count - _nodeByKey.Count);

    public void Upsert(int key, ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dimensions)
            throw new ArgumentException($"Expected a vector of {Dimensions} dimensions, got {vector.Length}.", nameof(vector));
        _lock.EnterWriteLock();
        try
        {
            // Re-linking a moved node in place is error-prone; a tombstone plus a fresh node keeps the graph sound.
            if (_nodeByKey.Remove(key, out var old)) _deleted[old] = true;
            _nodeByKey[key] = Insert(key, vector);
        }
        finally { _lock.ExitWriteLock(); }
    }

    public bool Remove(int key)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_nodeByKey.Remove(key, out var node)) return false;
            _deleted[node] = true;
            return true;
        }
        finally { _lock.ExitWriteLock(); }
    }

    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, Func<int, bool>? filter = null, int? efSearch = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (query.Length != Dimensions)
            throw new ArgumentException($"Expected a query of {Dimensions} dimensions, got {query.Length}.", nameof(query));
        _lock.EnterReadLock();
        var visited = RentVisited();
        try
        {
            if (_entryPoint < 0 || _nodeByKey.Count == 0) return [];
            var ep = _entryPoint;
            var epSim = Similarity(query, ep);
            for (var level = _topLevel; level > 0; level--) (ep, epSim) = Greedy(query, ep, epSim, level);

            var ef = Math.Max(efSearch ?? _options.EfSearch, k);
            var results = SearchLayer(query, ep, epSim, ef, level: 0, visited, onlyLive: true, filter);
            var count = Math.Min(k, results.Count);
            var hits = new VectorHit[count];
            // results is a min-heap on similarity: drain the surplus, then fill from the back.
            while (results.Count > count) results.Dequeue();
            for (var i = count - 1; i >= 0; i--)
            {
                results.TryDequeue(out var node, out var sim);
                hits[i] = new VectorHit(_keyByNode[node], sim);
            }
            return hits;
        }
        finally
        {
            _visitedPool.Add(visited);
            _lock.ExitReadLock();
        }
    }

    private int Insert(int key, ReadOnlySpan<float> vector)
    {
        var node = _vectors.Add(vector);
        EnsureNodeCapacity(node + 1);
        _keyByNode[node] = key;
        var level = RandomLevel();
        var links = new int[level + 1][];
        for (var l = 0; l <= level; l++) links[l] = new int[(l == 0 ? _m0 : _m) + 1];
        _links[node] = links;

        if (_entryPoint < 0)
        {
            _entryPoint = node;
            _topLevel = level;
            return node;
        }

        var query = _vectors[node];
        var ep = _entryPoint;
        var epSim = Similarity(query, ep);
        for (var l = _topLevel; l > level; l--) (ep, epSim) = Greedy(query, ep, epSim, l);

        var visited = RentVisited();
        try
        {
            for (var l = Math.Min(level, _topLevel); l >= 0; l--)
            {
                var found = SearchLayer(query, ep, epSim, _options.EfConstruction, l, visited, onlyLive: false, filter: null);
                var candidates = DrainDescending(found);
                (ep, epSim) = candidates[0];
                var maxLinks = l == 0 ? _m0 : _m;
                var selected = SelectNeighbours(candidates, maxLinks);
                var own = links[l];
                own[0] = selected.Count;
                for (var i = 0; i < selected.Count; i++) own[i + 1] = selected[i].Node;
                foreach (var (neighbour, sim) in selected) Connect(neighbour, node, sim, l, maxLinks);
            }
        }
        finally { _visitedPool.Add(visited); }

        if (level > _topLevel)
        {
            _topLevel = level;
            _entryPoint = node;
        }
        return node;
    }

    /// <summary>Adds a back-link from <paramref name="from"/> to <paramref name="to"/>, re-pruning with the heuristic when full.</summary>
    private void Connect(int from, int to, float similarity, int level, int maxLinks)
    {
        var list = _links[from][level];
        var count = list[0];
        if (count < maxLinks)
        {
            list[count + 1] = to;
            list[0] = count + 1;
            return;
        }
        var fromVector = _vectors[from];
        var candidates = new List<(int Node, float Sim)>(count + 1) { (to, similarity) };
        for (var i = 1; i <= count; i++) candidates.Add((list[i], Similarity(fromVector, list[i])));
        candidates.Sort(static (a, b) => b.Sim.CompareTo(a.Sim));
        var kept = SelectNeighbours(candidates, maxLinks);
        list[0] = kept.Count;
        for (var i = 0; i < kept.Count; i++) list[i + 1] = kept[i].Node;
    }

    /// <summary>
    /// Malkov's "select neighbours heuristic": take candidates nearest-first, keeping one only when it is closer to the
    /// base than to every neighbour already kept. Links then spread across directions (and clusters) instead of
    /// piling onto one dense neighbourhood, which is what keeps clustered data navigable.
    /// </summary>
    private List<(int Node, float Sim)> SelectNeighbours(List<(int Node, float Sim)> candidatesDescending, int max)
    {
        var kept = new List<(int Node, float Sim)>(max);
        foreach (var candidate in candidatesDescending)
        {
            if (kept.Count >= max) break;
            var vector = _vectors[candidate.Node];
            var diverse = true;
            foreach (var (node, _) in kept)
            {
                if (Similarity(vector, node) > candidate.Sim) { diverse = false; break; }
            }
            if (diverse) kept.Add(candidate);
        }
        return kept;
    }

    private (int Node, float Sim) Greedy(ReadOnlySpan<float> query, int ep, float epSim, int level)
    {
        var improved = true;
        while (improved)
        {
            improved = false;
            var list = _links[ep][level];
            for (var i = 1; i <= list[0]; i++)
            {
                var sim = Similarity(query, list[i]);
                if (sim > epSim) (ep, epSim, improved) = (list[i], sim, true);
            }
        }
        return (ep, epSim);
    }

    /// <summary>
    /// Best-first search of one layer. Returns a min-heap (on similarity) of up to <paramref name="ef"/> accepted nodes.
    /// With <paramref name="onlyLive"/>, tombstones and filtered-out keys are traversed but not accepted, and the
    /// search keeps expanding until ef nodes are accepted or the reachable graph is exhausted.
    /// </summary>
    private PriorityQueue<int, float> SearchLayer(
        ReadOnlySpan<float> query, int ep, float epSim, int ef, int level, VisitedSet visited, bool onlyLive, Func<int, bool>? filter)
    {
        visited.Reset(_vectors.Count);
        var candidates = new PriorityQueue<int, float>(); // max-heap via negated similarity
        var results = new PriorityQueue<int, float>(ef + 1);
        visited.TryVisit(ep);
        candidates.Enqueue(ep, -epSim);
        if (Accepts(ep, onlyLive, filter)) results.Enqueue(ep, epSim);

        while (candidates.TryDequeue(out var current, out var negSim))
        {
            if (results.Count >= ef && -negSim < WorstOf(results)) break;
            var list = _links[current][level];
            for (var i = 1; i <= list[0]; i++)
            {
                var neighbour = list[i];
                if (!visited.TryVisit(neighbour)) continue;
                var sim = Similarity(query, neighbour);
                if (results.Count < ef || sim > WorstOf(results))
                {
                    candidates.Enqueue(neighbour, -sim);
                    if (!Accepts(neighbour, onlyLive, filter)) continue;
                    results.Enqueue(neighbour, sim);
                    if (results.Count > ef) results.Dequeue();
                }
            }
        }
        return results;
    }

    private static float WorstOf(PriorityQueue<int, float> results)
    {
        results.TryPeek(out _, out var worst);
        return worst;
    }

    private bool Accepts(int node, bool onlyLive, Func<int, bool>? filter) =>
        !onlyLive || (!_deleted[node] && (filter is null || filter(_keyByNode[node])));

    private static List<(int Node, float Sim)> DrainDescending(PriorityQueue<int, float> minHeap)
    {
        var list = new List<(int Node, float Sim)>(minHeap.Count);
        while (minHeap.TryDequeue(out var node, out var sim)) list.Add((node, sim));
        list.Reverse();
        return list;
    }

    private float Similarity(ReadOnlySpan<float> query, int node) => TensorPrimitives.Dot(query, _vectors[node]);

    private int RandomLevel()
    {
        var level = (int)(-Math.Log(1 - _random.NextDouble()) * _levelMultiplier);
        return Math.Min(level, MaxLevel);
    }

    private void EnsureNodeCapacity(int required)
    {
        if (required <= _keyByNode.Length) return;
        var size = Math.Max(required, _keyByNode.Length * 2);
        Array.Resize(ref _keyByNode, size);
        Array.Resize(ref _deleted, size);
        Array.Resize(ref _links, size);
    }

    /// <summary>Calls <paramref name="visit"/> for every live (key, vector) under the read lock.</summary>
    internal void ForEachLive(Action<int, ReadOnlySpan<float>> visit)
    {
        _lock.EnterReadLock();
        try
        {
            foreach (var (key, node) in _nodeByKey) visit(key, _vectors[node]);
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>
    /// Writes the whole graph (tombstones included: they still route searches) so <see cref="ReadFrom"/> restores it
    /// without re-inserting anything. Writers wait meanwhile; searches go on.
    /// </summary>
    internal void WriteTo(BinaryWriter writer)
    {
        _lock.EnterReadLock();
        try
        {
            var nodes = _vectors.Count;
            writer.Write(_m);
            writer.Write(_options.EfConstruction);
            writer.Write(nodes);
            writer.Write(_entryPoint);
            writer.Write(_topLevel);
            writer.Write(MemoryMarshal.AsBytes(_keyByNode.AsSpan(0, nodes)));
            for (var node = 0; node < nodes; node++) writer.Write(_deleted[node]);
            writer.Write(MemoryMarshal.AsBytes(_vectors.Used));
            for (var node = 0; node < nodes; node++)
            {
                var levels = _links[node];
                writer.Write((byte)levels.Length);
                // Each list is [count, neighbours...]: only the used prefix is written.
                foreach (var list in levels) writer.Write(MemoryMarshal.AsBytes(list.AsSpan(0, list[0] + 1)));
            }
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Restores a graph written by <see cref="WriteTo"/>; throws <see cref="InvalidDataException"/> when it does not fit.</summary>
    internal static HnswVectorIndex ReadFrom(BinaryReader reader, int dimensions, HnswOptions? options)
    {
        var graph = new HnswVectorIndex(dimensions, options);
        var m = reader.ReadInt32();
        var efConstruction = reader.ReadInt32();
        if (m != graph._m || efConstruction != graph._options.EfConstruction)
            throw new InvalidDataException($"The saved graph was built with M={m}, ef_construction={efConstruction}; the options now say M={graph._m}, ef_construction={graph._options.EfConstruction}.");
        var nodes = reader.ReadInt32();
        var entryPoint = reader.ReadInt32();
        var topLevel = reader.ReadInt32();
        if (nodes < 0 || entryPoint < -1 || entryPoint >= Math.Max(nodes, 1) || topLevel > MaxLevel || (nodes > 0) != (entryPoint >= 0))
            throw new InvalidDataException("The saved graph's header is inconsistent.");
        graph.EnsureNodeCapacity(Math.Max(nodes, 1));
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(graph._keyByNode.AsSpan(0, nodes)));
        for (var node = 0; node < nodes; node++) graph._deleted[node] = reader.ReadBoolean();
        var data = new float[(long)nodes * dimensions];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
        graph._vectors = new VectorPool(dimensions, data, nodes);
        for (var node = 0; node < nodes; node++)
        {
            var levels = new int[reader.ReadByte()][];
            if (levels.Length is 0 or > MaxLevel + 1) throw new InvalidDataException($"Node {node} has {levels.Length} levels.");
            for (var l = 0; l < levels.Length; l++)
            {
                var capacity = l == 0 ? graph._m0 : graph._m;
                var count = reader.ReadInt32();
                if (count < 0 || count > capacity) throw new InvalidDataException($"Node {node} has {count} links on level {l}.");
                var list = new int[capacity + 1];
                list[0] = count;
                reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(list.AsSpan(1, count)));
                foreach (var neighbour in list.AsSpan(1, count))
                    if ((uint)neighbour >= (uint)nodes) throw new InvalidDataException($"Node {node} links to {neighbour} of {nodes}.");
                levels[l] = list;
            }
            graph._links[node] = levels;
            if (!graph._deleted[node] && !graph._nodeByKey.TryAdd(graph._keyByNode[node], node))
                throw new InvalidDataException($"Key {graph._keyByNode[node]} has two live nodes.");
        }
        if (nodes > 0 && graph._links[entryPoint].Length != topLevel + 1)
            throw new InvalidDataException("The saved entry point is not on the top level.");
        graph._entryPoint = entryPoint;
        graph._topLevel = topLevel;
        // A fresh level sequence: replaying the seed's first draws again would only correlate levels, but there is no need to.
        graph._random = new Random(HashCode.Combine(graph._options.Seed, nodes));
        return graph;
    }

    private VisitedSet RentVisited() => _visitedPool.TryTake(out var set) ? set : new VisitedSet();

    private T Read<T>(Func<T> read)
    {
        _lock.EnterReadLock();
        try { return read(); }
        finally { _lock.ExitReadLock(); }
    }

    public void Dispose() => _lock.Dispose();
}
