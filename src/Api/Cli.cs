using TeacherPlatform.Api.Features.Auth;
using TeacherPlatform.Api.Infrastructure;
using TeacherPlatform.Core.Persistence;

namespace TeacherPlatform.Api;

/// <summary>
/// Operator commands that run against the same configuration as the server:
/// `migrate`, `create-admin --email E --password P [--name N]`, `ingest FOLDER [--public] [--owner EMAIL]`,
/// `reindex`, `worker`, and the operations commands in <see cref="OpsCommands"/>.
/// </summary>
public static class Cli
{
    private static readonly string[] Commands = ["migrate", "create-admin", "ingest", "reindex", "worker", .. OpsCommands.Names];

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
                case "ingest":
                    return await IngestAsync(app, args, ct);
                case "reindex":
                    return await ReindexAsync(app, ct);
                case "worker":
                    await app.Services.GetRequiredService<StartupTasks>().RunAsync(ct);
                    Console.WriteLine("Ingestion worker running (Ctrl+C to stop)…");
                    try { await app.Services.GetRequiredService<TeacherPlatform.Ingestion.Jobs.IngestionWorker>().RunLoopsAsync(ct); }
                    catch (OperationCanceledException) { }
                    return 0;
                default:
                    return await OpsCommands.RunAsync(app, command, args, ct);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or Core.Errors.AppProblem)
        {
            Console.Error.WriteLine(ex is Core.Errors.AppProblem p && p.Errors is not null
                ? string.Join("; ", p.Errors.SelectMany(e => e.Value)) : ex.Message);
            return 1;
        }
    }

    private static async Task<int> IngestAsync(WebApplication app, string[] args, CancellationToken ct)
    {
        var i = Array.IndexOf(args, "ingest");
        var folder = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[i + 1] : null;
        if (folder is null || !Directory.Exists(folder))
            throw new ArgumentException("usage: ingest <folder> [--public] [--owner <teacher or admin email>]");
        await app.Services.GetRequiredService<StartupTasks>().RunAsync(ct);

        var users = app.Services.GetRequiredService<Core.Identity.UserStore>();
        var ownerEmail = Option(args, "--owner");
        var owner = ownerEmail is not null
            ? await users.FindByEmailAsync(ownerEmail, ct) ?? throw new ArgumentException($"No user {ownerEmail}")
            // The library account owns bulk-loaded material; it has no password and cannot sign in.
            : await users.FindByEmailAsync("library@teacherplatform.local", ct)
              ?? await users.CreateAsync("library@teacherplatform.local", null, "Library", Core.Identity.Roles.Admin, ct: ct)
              ?? throw new InvalidOperationException("Could not create the library account");
        var isPublic = Flag(args, "--public");
        // The same rule the knowledge service applies to POST /api/knowledge with is_public.
        if (isPublic && !Core.Authorization.RoleRules.MayPublish(owner.Role)) throw new ArgumentException("Students cannot publish public documents.");

        var files = TeacherPlatform.Ingestion.Bulk.FolderIngester.FindFiles(folder);
        Console.WriteLine($"Ingesting {files.Count} files from {Path.GetFullPath(folder)} as {owner.Email} ({(isPublic ? "public" : "private")})");
        var summary = await app.Services.GetRequiredService<TeacherPlatform.Ingestion.Bulk.FolderIngester>().IngestAsync(folder, owner.Id, isPublic, (done, total, file) =>
        {
            const int width = 30;
            var filled = (int)Math.Round(width * done / (double)Math.Max(1, total));
            var bar = new string('#', filled) + new string('-', width - filled);
            var result = file.Succeeded ? $"{file.Chunks} chunks" : $"FAILED {file.Error}";
            Console.WriteLine($"[{bar}] {done,4}/{total} {file.File} — {result}");
        }, ct);
        Console.WriteLine();
        Console.WriteLine($"Done in {summary.Elapsed.TotalSeconds:F1} s: {summary.Succeeded} ingested, {summary.Failed} failed, {summary.Chunks} chunks ({summary.ChunksPerSecond:F1} chunks/s).");
        foreach (var failed in summary.Files.Where(f => !f.Succeeded)) Console.WriteLine($"  failed: {failed.File}: {failed.Error}");
        return summary.Failed == 0 ? 0 : 1;
    }

    private static async Task<int> ReindexAsync(WebApplication app, CancellationToken ct)
    {
        await app.Services.GetRequiredService<MigrationRunner>().MigrateAsync(ct);
        var model = app.Services.GetRequiredService<TeacherPlatform.Ai.Embeddings.IEmbeddingModel>();
        var index = app.Services.GetRequiredService<TeacherPlatform.Ai.Retrieval.IKnowledgeIndex>();
        Console.WriteLine($"Re-embedding every chunk with {model.ModelId} ({model.Dimensions} dims)…");
        var last = -1;
        var count = await index.ReindexAsync(model.ModelId, model.Dimensions, (texts, token) => model.EmbedPassagesAsync(texts, token),
            new Progress<(int Done, int Total)>(p =>
            {
                var pct = p.Total == 0 ? 100 : p.Done * 100 / p.Total;
                if (pct / 10 != last) { last = pct / 10; Console.WriteLine($"  {p.Done}/{p.Total} ({pct}%)"); }
            }), ct);
        Console.WriteLine($"Re-indexed {count} chunks; the index now records {model.ModelId}.");
        return 0;
    }

    public static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public static bool Flag(string[] args, string name) => args.Contains(name);
}
