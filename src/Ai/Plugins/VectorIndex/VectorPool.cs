namespace TeacherPlatform.Ai.VectorIndex;

/// <summary>Fixed-dimension vectors stored back to back in one array (grown by doubling) for cache-friendly scans.</summary>
internal sealed class VectorPool
{
    private float[] _data;

    public VectorPool(int dimensions, int initialCapacity = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        Dimensions = dimensions;
        _data = new float[dimensions * Math.Max(1, initialCapacity)];
    }

    /// <summary>Adopts <paramref name="data"/> (read from a snapshot) as the first <paramref name="count"/> vectors, without copying.</summary>
    public VectorPool(int dimensions, float[] data, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)count * dimensions, data.LongLength);
        Dimensions = dimensions;
        _data = data.Length == 0 ? new float[dimensions] : data;
        Count = count;
    }

    public int Dimensions { get; }

    /// <summary>The stored vectors back to back (for snapshots).</summary>
    public ReadOnlySpan<float> Used => _data.AsSpan(0, Count * Dimensions);
    public int Count { get; private set; }
    public int Capacity => _data.Length / Dimensions;

    public ReadOnlySpan<float> this[int slot] => _data.AsSpan(slot * Dimensions, Dimensions);

    public int Add(ReadOnlySpan<float> vector)
    {
        CheckLength(vector);
        if (Count == Capacity) Array.Resize(ref _data, _data.Length * 2);
        vector.CopyTo(_data.AsSpan(Count * Dimensions, Dimensions));
        return Count++;
    }

    public void Set(int slot, ReadOnlySpan<float> vector)
    {
        CheckLength(vector);
        vector.CopyTo(_data.AsSpan(slot * Dimensions, Dimensions));
    }

    /// <summary>Moves the last vector into <paramref name="slot"/> and shrinks by one (swap-remove).</summary>
    public void RemoveBySwappingLast(int slot)
    {
        var last = Count - 1;
        if (slot != last) _data.AsSpan(last * Dimensions, Dimensions).CopyTo(_data.AsSpan(slot * Dimensions, Dimensions));
        Count--;
    }

    private void CheckLength(ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dimensions)
            throw new ArgumentException($"Expected a vector of {Dimensions} dimensions, got {vector.Length}.", nameof(vector));
    }
}
