namespace TeacherPlatform.Ai.VectorIndex;

/// <summary>Visited marks cleared in O(1) by bumping an epoch; pooled so searches do not allocate per call.</summary>
internal sealed class VisitedSet
{
    private int[] _marks = [];
    private int _epoch;

    public void Reset(int capacity)
    {
        if (_marks.Length < capacity)
        {
            _marks = new int[Math.Max(capacity, _marks.Length * 2)];
            _epoch = 0;
        }
        if (++_epoch == int.MaxValue)
        {
            Array.Clear(_marks);
            _epoch = 1;
        }
    }

    /// <summary>Marks <paramref name="node"/>; returns false when it was already visited.</summary>
    public bool TryVisit(int node)
    {
        if (_marks[node] == _epoch) return false;
        _marks[node] = _epoch;
        return true;
    }
}
