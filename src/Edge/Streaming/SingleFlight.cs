using System.Collections.Concurrent;

namespace TeacherPlatform.Edge.Streaming;

/// <summary>Concurrent callers for the same key share one running task (one origin fetch, one access check).</summary>
public sealed class SingleFlight<TKey, TValue> where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Lazy<Task<TValue>>> _running = new();

    /// <summary>
    /// The work runs without any caller's cancellation token, so one impatient client cannot fail the others; each
    /// caller stops waiting on its own token.
    /// </summary>
    public Task<TValue> RunAsync(TKey key, Func<Task<TValue>> work, CancellationToken ct)
    {
        var lazy = _running.GetOrAdd(key, k => new Lazy<Task<TValue>>(() => RunAndForgetAsync(k, work)));
        return lazy.Value.WaitAsync(ct);
    }

    private async Task<TValue> RunAndForgetAsync(TKey key, Func<Task<TValue>> work)
    {
        await Task.Yield(); // registered in the dictionary before the work starts
        try { return await work(); }
        finally { _running.TryRemove(key, out _); }
    }
}
