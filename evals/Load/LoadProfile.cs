namespace TeacherPlatform.Evals.Load;

/// <summary>One k6-style stage: over <see cref="Duration"/> the number of virtual users moves linearly to <see cref="Target"/>.</summary>
public sealed record Stage(string Name, TimeSpan Duration, int Target);

public sealed record LoadProfile(string Name, IReadOnlyList<Stage> Stages, TimeSpan ThinkTime)
{
    public TimeSpan TotalDuration => Stages.Aggregate(TimeSpan.Zero, (a, s) => a + s.Duration);
    public int MaxUsers => Stages.Max(s => s.Target);

    /// <summary>
    /// The original plan's profile (2m→50, 5m@50, 2m→100, 3m@100, 2m→0) with the 2× stage inserted before the
    /// ramp-down (1m→200, 2m@200). `quick` keeps the shape at 1/12 of the time; `smoke` is 5 users for ~5 s.
    /// </summary>
    public static LoadProfile Named(string name, double scale = 1, int? smokeUsers = null, double thinkSeconds = 1) => name switch
    {
        "full" => Original(scale, thinkSeconds, "full"),
        "quick" => Original(scale / 12, thinkSeconds, "quick"),
        "smoke" => new LoadProfile("smoke",
        [
            new Stage("ramp to 5", TimeSpan.FromSeconds(1 * scale), smokeUsers ?? 5),
            new Stage("hold 5", TimeSpan.FromSeconds(3 * scale), smokeUsers ?? 5),
            new Stage("ramp down", TimeSpan.FromSeconds(1 * scale), 0),
        ], TimeSpan.FromSeconds(thinkSeconds)),
        _ => throw new ArgumentException($"Unknown profile '{name}' (full, quick, smoke)."),
    };

    private static LoadProfile Original(double scale, double think, string name)
    {
        TimeSpan S(double seconds) => TimeSpan.FromSeconds(Math.Max(1, seconds * scale));
        return new LoadProfile(name,
        [
            new Stage("ramp to 50", S(120), 50),
            new Stage("hold 50", S(300), 50),
            new Stage("ramp to 100", S(120), 100),
            new Stage("hold 100", S(180), 100),
            new Stage("ramp to 200", S(60), 200),
            new Stage("hold 200", S(120), 200),
            new Stage("ramp down", S(120), 0),
        ], TimeSpan.FromSeconds(think));
    }

    /// <summary>Target users at <paramref name="elapsed"/> and the index of the stage it falls in (-1 when past the end).</summary>
    public (int Users, int Stage) At(TimeSpan elapsed)
    {
        var start = TimeSpan.Zero;
        var from = 0;
        for (var i = 0; i < Stages.Count; i++)
        {
            var s = Stages[i];
            if (elapsed < start + s.Duration)
            {
                var f = s.Duration <= TimeSpan.Zero ? 1 : (elapsed - start) / s.Duration;
                return ((int)Math.Round(from + (s.Target - from) * f), i);
            }
            start += s.Duration;
            from = s.Target;
        }
        return (0, -1);
    }
}
