namespace TeacherPlatform.Tests.Infrastructure;

/// <summary>Waits for observable state (never for a fixed time); fails with what was awaited when it never comes.</summary>
public static class Eventually
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Still waiting after {Patience.TotalSeconds:F0} s: {what}.");
            await Task.Delay(25);
        }
    }
}
