using System.Globalization;
using System.Text.Json;
using TeacherPlatform.Evals.Client;
using TeacherPlatform.Evals.Datasets;

namespace TeacherPlatform.Evals.Reports;

/// <summary>The envelope every command writes: what ran, where, on which code, configuration and corpus.</summary>
public sealed record EvalRun<T>(
    string Command, DateTimeOffset Timestamp, MachineInfo Machine, GitInfo Git,
    IReadOnlyDictionary<string, string?> Configuration, CorpusInfo? Corpus, T Results, IReadOnlyList<string> Notes);

public static class ResultStore
{
    public static string DefaultDirectory => Path.Combine(FindRepoRoot() ?? Directory.GetCurrentDirectory(), "evals", "results");

    /// <summary>The folder holding TeacherPlatform.sln (so results land in evals/results wherever the command runs).</summary>
    public static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TeacherPlatform.sln"))) return dir.FullName;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TeacherPlatform.sln"))) return dir.FullName;
        return null;
    }

    public static string Write<T>(string directory, EvalRun<T> run)
    {
        Directory.CreateDirectory(directory);
        var stamp = run.Timestamp.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var path = Path.Combine(directory, $"{run.Command}-{stamp}.json");
        for (var i = 2; File.Exists(path); i++) path = Path.Combine(directory, $"{run.Command}-{stamp}-{i}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(run, Json.Indented));
        return path;
    }

    /// <summary>All result files (not the docmap files), oldest first.</summary>
    public static IReadOnlyList<(string Path, JsonDocument Doc)> ReadAll(string directory)
    {
        if (!Directory.Exists(directory)) return [];
        var list = new List<(string, JsonDocument)>();
        foreach (var file in Directory.GetFiles(directory, "*.json").Where(f => !Path.GetFileName(f).StartsWith("docmap-", StringComparison.Ordinal)))
        {
            try
            {
                var doc = JsonDocument.Parse(File.ReadAllText(file));
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("command", out _)) list.Add((file, doc));
            }
            catch (JsonException) { }
        }
        return list.OrderBy(x => x.Item2.RootElement.GetProperty("timestamp").GetDateTimeOffset()).ToList();
    }
}
