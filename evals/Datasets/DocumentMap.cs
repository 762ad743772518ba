using System.Text.Json;
using TeacherPlatform.Evals.Client;

namespace TeacherPlatform.Evals.Datasets;

/// <summary>Manifest id → server document id for one dataset loaded into one instance (written by `load`).</summary>
public sealed record DocumentMap(string BaseUrl, string Dataset, string TeacherEmail, DateTimeOffset LoadedAt,
    IReadOnlyList<DocumentMapEntry> Documents)
{
    public Guid? ServerId(string manifestId) => Documents.FirstOrDefault(d => d.ManifestId == manifestId && d.Status == "completed")?.ServerId;
    public string? ManifestId(Guid serverId) => Documents.FirstOrDefault(d => d.ServerId == serverId)?.ManifestId;
    public IReadOnlyList<Guid> CompletedServerIds => Documents.Where(d => d.Status == "completed").Select(d => d.ServerId).ToArray();

    public static string DefaultPath(string resultsDir, string datasetName) => Path.Combine(resultsDir, $"docmap-{datasetName}.json");

    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(this, Json.Indented));
    }

    public static DocumentMap? TryLoad(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<DocumentMap>(File.ReadAllText(path), Json.Options) : null;
}

public sealed record DocumentMapEntry(string ManifestId, Guid ServerId, string Title, string SourceType, string Status,
    int ChunkCount, double IngestSeconds, string? Error);
