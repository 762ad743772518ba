namespace TeacherPlatform.Ai.VectorIndex;

/// <summary>Keeps the k best (key, score) pairs seen so far in a min-heap: O(n log k) partial selection.</summary>
internal sealed class TopKCollector
{
    private readonly int[] _keys;
    private readonly float[] _scores;

    public TopKCollector(int k)
    {
        _keys = new int[k];
        _scores = new float[k];
    }

    public int Count { get; private set; }
    public bool IsFull => Count == _keys.Length;
    /// <summary>Worst score kept; only meaningful when full.</summary>
    public float Threshold => _scores[0];

    public void Add(int key, float score)
    {
        if (!IsFull)
        {
            var i = Count++;
            while (i > 0)
            {
                var parent = (i - 1) >> 1;
                if (_scores[parent] <= score) break;
                _keys[i] = _keys[parent];
                _scores[i] = _scores[parent];
                i = parent;
            }
            _keys[i] = key;
            _scores[i] = score;
        }
        else if (score > _scores[0])
        {
            SiftDownFromRoot(key, score);
        }
    }

    private void SiftDownFromRoot(int key, float score)
    {
        var i = 0;
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= Count) break;
            if (child + 1 < Count && _scores[child + 1] < _scores[child]) child++;
            if (_scores[child] >= score) break;
            _keys[i] = _keys[child];
            _scores[i] = _scores[child];
            i = child;
        }
        _keys[i] = key;
        _scores[i] = score;
    }

    public VectorHit[] ToSortedDescending()
    {
        var hits = new VectorHit[Count];
        for (var i = 0; i < Count; i++) hits[i] = new VectorHit(_keys[i], _scores[i]);
        Array.Sort(hits, static (a, b) => b.Score.CompareTo(a.Score));
        return hits;
    }
}
