using System.Diagnostics;
using TeacherPlatform.Evals.Client;
using TeacherPlatform.Evals.Datasets;

namespace TeacherPlatform.Evals.Commands;

public sealed record LoadResult(string Dataset, int Documents, int Completed, int Failed, int Reused, int TotalChunks,
    double WallSeconds, string DocumentMapPath, IReadOnlyList<DocumentMapEntry> Entries);

/// <summary>
/// `load`: ingests a dataset as one teacher's public documents: create → PUT bytes → process → poll status.
/// Idempotent: documents already completed on this instance (per the saved document map) are reused.
/// </summary>
public static class LoadCommand
{
    public static string ContentType(string file) => Path.GetExtension(file).ToLowerInvariant() switch
    {
        ".pdf" => "application/pdf",
        ".html" or ".htm" => "text/html",
        ".vtt" => "text/vtt",
        ".srt" => "application/x-subrip",
        ".md" => "text/markdown",
        _ => "text/plain",
    };

    public static async Task<(LoadResult Result, DocumentMap Map)> RunAsync(CommandEnv env, CommandArgs args, CancellationToken ct)
    {
        CommandEnv.EnsureLoopback(env.BaseUrl, args.Flag("allow-remote"));
        var dataset = Dataset.Load(args.Get("dataset", "evals/datasets/pedagogy"));
        var mapPath = args.Get("docmap") ?? DocumentMap.DefaultPath(env.ResultsDirectory, dataset.Name);
        var timeout = TimeSpan.FromSeconds(args.Int("ingest-timeout", 1800));
        var teacher = await Accounts.TeacherAsync(env, args, ct);
        var previous = args.Flag("force") ? null : DocumentMap.TryLoad(mapPath);
        if (previous is not null && previous.BaseUrl != env.BaseUrl.ToString()) previous = null;
        var wall = Stopwatch.StartNew();

        var entries = new List<DocumentMapEntry>();
        var pending = new List<(ManifestEntry M, Guid Id, Stopwatch Sw)>();
        var reused = 0;
        foreach (var m in dataset.Documents)
        {
            if (previous?.ServerId(m.Id) is { } oldId)
            {
                try
                {
                    var st = await teacher.StatusAsync(oldId, ct);
                    if (st.Status == "completed")
                    {
                        entries.Add(new DocumentMapEntry(m.Id, oldId, m.Title, m.SourceType, "completed", st.ChunkCount ?? 0, 0, null));
                        reused++;
                        continue;
                    }
                }
                catch (ApiException) { /* gone: upload again */ }
            }
            var sw = Stopwatch.StartNew();
            var path = dataset.PathOf(m);
            var created = await teacher.CreateKnowledgeAsync(
                new CreateKnowledgeRequest(m.Title, m.SourceType, m.IsPublic, null, Path.GetFileName(path)), ct);
            if (created.UploadUrl is null) throw new InvalidOperationException($"No upload_url for {m.Id}");
            await teacher.UploadAsync(created.UploadUrl, await File.ReadAllBytesAsync(path, ct), ContentType(path), ct);
            await teacher.ProcessAsync(created.Document.Id, ct);
            pending.Add((m, created.Document.Id, sw));
            env.Out.WriteLine($"  queued {m.Id} -> {created.Document.Id}");
        }

        var deadline = Stopwatch.StartNew();
        while (pending.Count > 0)
        {
            foreach (var p in pending.ToList())
            {
                var st = await teacher.StatusAsync(p.Id, ct);
                if (st.Status is "completed" or "failed")
                {
                    pending.Remove(p);
                    entries.Add(new DocumentMapEntry(p.M.Id, p.Id, p.M.Title, p.M.SourceType, st.Status, st.ChunkCount ?? 0,
                        Math.Round(p.Sw.Elapsed.TotalSeconds, 2), st.Error is null ? null : $"{st.Error.Code}: {st.Error.Message}"));
                    env.Out.WriteLine($"  {st.Status,-9} {p.M.Id} chunks={st.ChunkCount} {st.Error?.Code} {st.Error?.Message}");
                }
            }
            if (pending.Count == 0) break;
            if (deadline.Elapsed > timeout)
            {
                foreach (var p in pending)
                    entries.Add(new DocumentMapEntry(p.M.Id, p.Id, p.M.Title, p.M.SourceType, "timeout", 0, Math.Round(p.Sw.Elapsed.TotalSeconds, 2), "not completed in time"));
                break;
            }
            await Task.Delay(500, ct);
        }

        entries = entries.OrderBy(e => e.ManifestId, StringComparer.Ordinal).ToList();
        var map = new DocumentMap(env.BaseUrl.ToString(), dataset.Name, Accounts.TeacherEmail(args), DateTimeOffset.UtcNow, entries);
        map.Save(mapPath);
        var result = new LoadResult(dataset.Name, entries.Count, entries.Count(e => e.Status == "completed"),
            entries.Count(e => e.Status != "completed"), reused, entries.Sum(e => e.ChunkCount), Math.Round(wall.Elapsed.TotalSeconds, 2),
            mapPath, entries);
        var notes = new List<string>();
        if (result.Failed > 0) notes.Add($"{result.Failed} document(s) did not complete: " + string.Join(", ", entries.Where(e => e.Status != "completed").Select(e => $"{e.ManifestId} ({e.Error})")));
        env.Save("load", args, dataset.Describe(), result, notes);
        return (result, map);
    }
}
