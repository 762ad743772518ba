using TeacherPlatform.Api.Features.Auth;
using TeacherPlatform.Api.Infrastructure;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Api;

/// <summary>
/// Operator commands that run against the same configuration as the server:
/// `migrate`, `create-admin --email E --password P [--name N]`.
/// </summary>
public static class Cli
{
    private static readonly string[] Commands = ["migrate", "create-admin"];

    public static bool IsCommand(string arg) => Commands.Contains(arg);

    public static bool TryGetCommand(string[] args, out string command)
    {
        command = args.FirstOrDefault(IsCommand) ?? "";
        return command.Length > 0;
    }

    public static async Task<int> RunAsync(WebApplication app, string command, string[] args)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        var ct = cts.Token;
        try
        {
            switch (command)
            {
                case "migrate":
                    var applied = await app.Services.GetRequiredService<MigrationRunner>().MigrateAsync(ct);
                    Console.WriteLine(applied.Count == 0 ? "Schema is up to date." : $"Applied: {string.Join(", ", applied)}");
                    return 0;
                case "create-admin":
                    await app.Services.GetRequiredService<MigrationRunner>().MigrateAsync(ct);
                    var email = Option(args, "--email") ?? throw new ArgumentException("--email is required");
                    var password = Option(args, "--password") ?? Environment.GetEnvironmentVariable("ADMIN_PASSWORD")
                        ?? throw new ArgumentException("--password (or ADMIN_PASSWORD) is required");
                    await using (var scope = app.Services.CreateAsyncScope())
                    {
                        var user = await scope.ServiceProvider.GetRequiredService<AuthService>()
                            .EnsureAdminAsync(email, password, Option(args, "--name") ?? "Administrator", ct);
                        Console.WriteLine($"Administrator {user.Email} ({user.Id}) is ready.");
                    }
                    return 0;
                default:
                    return 2;
            }
        }
        catch (Exception ex) when (ex is ArgumentException or Core.Errors.AppProblem)
        {
            Console.Error.WriteLine(ex is Core.Errors.AppProblem p && p.Errors is not null
                ? string.Join("; ", p.Errors.SelectMany(e => e.Value)) : ex.Message);
            return 1;
        }
    }

    public static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public static bool Flag(string[] args, string name) => args.Contains(name);
}
