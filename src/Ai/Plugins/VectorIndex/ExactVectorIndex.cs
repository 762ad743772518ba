using System.Numerics.Tensors;

namespace TeacherPlatform.Ai.VectorIndex;

/// <summary>
/// Brute-force search: one SIMD dot product per stored vector over a contiguous pool, with partial top-k selection.
/// Exact and fast enough for tens of thousands of vectors. Readers run concurrently; writers are exclusive.
/// </summary>
public sealed class ExactVectorIndex : IVectorIndex, IDisposable
{
    private readonly VectorPool _vectors;
    private readonly Dictionary<int, int> _slotByKey = [];
    private int[] _keyBySlot = new int[256];
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);

    public ExactVectorIndex(int dimensions) => _vectors = new VectorPool(dimensions);

    public int Dimensions => _vectors.Dimensions;

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try { return _slotByKey.Count; }
            finally { _lock.ExitReadLock(); }
        }
    }

    public void Upsert(int key, ReadOnlySpan<float> vector)
    {
        _lock.EnterWriteLock();
        try
        {
            if (_slotByKey.TryGetValue(key, out var slot))
            {
                _vectors.Set(slot, vector);
                return;
            }
            slot = _vectors.Add(vector);
            if (slot == _keyBySlot.Length) Array.Resize(ref _keyBySlot, _keyBySlot.Length * 2);
            _keyBySlot[slot] = key;
            _slotByKey[key] = slot;
        }
        finally { _lock.ExitWriteLock(); }
    }

    public bool Remove(int key)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_slotByKey.Remove(key, out var slot)) return false;
            // Swap-remove keeps the pool dense so scans never skip holes.
            var last = _vectors.Count - 1;
            _vectors.RemoveBySwappingLast(slot);
            if (slot != last)
            {
                var movedKey = _keyBySlot[last];
                _keyBySlot[slot] = movedKey;
                _slotByKey[movedKey] = slot;
            }
            return true;
        }
        finally { _lock.ExitWriteLock(); }
    }

    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, Func<int, bool>? filter = null, int? efSearch = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (query.Length != _vectors.Dimensions)
            throw new ArgumentException($"Expected a query of {_vectors.Dimensions} dimensions, got {query.Length}.", nameof(query));
        _lock.EnterReadLock();
        try
        {
            var top = new TopKCollector(Math.Min(k, Math.Max(1, _vectors.Count)));
            for (var slot = 0; slot < _vectors.Count; slot++)
            {
                var key = _keyBySlot[slot];
                if (filter is not null && !filter(key)) continue;
                top.Add(key, TensorPrimitives.Dot(query, _vectors[slot]));
            }
            return top.ToSortedDescending();
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Calls <paramref name="visit"/> for every stored (key, vector) under the read lock.</summary>
    internal void ForEach(Action<int, ReadOnlySpan<float>> visit)
    {
        _lock.EnterReadLock();
        try
        {
            for (var slot = 0; slot < _vectors.Count; slot++) visit(_keyBySlot[slot], _vectors[slot]);
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Writes count, keys and vectors (for a snapshot of an index that has no graph yet).</summary>
    internal void WriteTo(BinaryWriter writer)
    {
        _lock.EnterReadLock();
        try
        {
            writer.Write(_vectors.Count);
            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_keyBySlot.AsSpan(0, _vectors.Count)));
            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_vectors.Used));
        }
        finally { _lock.ExitReadLock(); }
    }

    internal static ExactVectorIndex ReadFrom(BinaryReader reader, int dimensions)
    {
        var count = reader.ReadInt32();
        if (count < 0) throw new InvalidDataException($"Negative vector count {count}.");
        var keys = new int[count];
        reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(keys.AsSpan()));
        var data = new float[(long)count * dimensions];
        reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
        var index = new ExactVectorIndex(dimensions);
        for (var i = 0; i < count; i++) index.Upsert(keys[i], data.AsSpan(i * dimensions, dimensions));
        return index;
    }

    /// <summary>The stored keys, copied.</summary>
    internal int[] Keys()
    {
        _lock.EnterReadLock();
        try { return _keyBySlot.AsSpan(0, _vectors.Count).ToArray(); }
        finally { _lock.ExitReadLock(); }
    }

    public void Dispose() => _lock.Dispose();
}
