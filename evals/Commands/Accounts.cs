using TeacherPlatform.Evals.Client;

namespace TeacherPlatform.Evals.Commands;

/// <summary>The eval accounts: one teacher who publishes the corpus, students who ask (register or log in).</summary>
public static class Accounts
{
    public const string Password = "Evals-Pass-2025!x";
    public static string TeacherEmail(CommandArgs args) => args.Get("teacher-email", "evals-teacher@example.com");
    public static string StudentEmail(int i) => $"evals-student-{i}@example.com";

    public static async Task<TeacherPlatformClient> TeacherAsync(CommandEnv env, CommandArgs args, CancellationToken ct)
    {
        var c = env.CreateClient(TimeSpan.FromMinutes(5));
        await c.RegisterOrLoginAsync(TeacherEmail(args), args.Get("password", Password), "Evals Teacher", "teacher", ct);
        return c;
    }

    public static async Task<TeacherPlatformClient> StudentAsync(CommandEnv env, CommandArgs args, int i, CancellationToken ct, TimeSpan? timeout = null)
    {
        var c = env.CreateClient(timeout);
        await c.RegisterOrLoginAsync(StudentEmail(i), args.Get("password", Password), $"Evals Student {i}", "student", ct);
        return c;
    }

    /// <summary>N student tokens, registered a few at a time (password hashing is deliberately slow).</summary>
    public static async Task<IReadOnlyList<TokenResponse>> StudentTokensAsync(CommandEnv env, CommandArgs args, int count, CancellationToken ct)
    {
        var tokens = new TokenResponse[count];
        using var gate = new SemaphoreSlim(4);
        await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync(ct);
            try
            {
                var c = env.CreateClient();
                tokens[i] = await c.RegisterOrLoginAsync(StudentEmail(i), args.Get("password", Password), $"Evals Student {i}", "student", ct);
            }
            finally { gate.Release(); }
        }));
        return tokens;
    }
}
