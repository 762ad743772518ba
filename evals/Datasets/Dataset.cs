using System.Text.Json;
using System.Text.Json.Serialization;
using TeacherPlatform.Evals.Client;

namespace TeacherPlatform.Evals.Datasets;

public sealed record ManifestEntry(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("source_type")] string SourceType,
    [property: JsonPropertyName("is_public")] bool IsPublic,
    [property: JsonPropertyName("pages")] int Pages);

public sealed record RelevantRef(
    [property: JsonPropertyName("doc")] string Doc,
    [property: JsonPropertyName("pages")] IReadOnlyList<int>? Pages,
    [property: JsonPropertyName("start_seconds")] IReadOnlyList<double>? StartSeconds);

public sealed record Question(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("question")] string Text,
    [property: JsonPropertyName("relevant")] IReadOnlyList<RelevantRef> Relevant,
    [property: JsonPropertyName("answer")] string Answer,
    [property: JsonPropertyName("kind")] string Kind)
{
    public bool IsUncovered => Kind == "uncovered" || Relevant.Count == 0;
    /// <summary>multi_page: every cited location is needed; otherwise the entries are alternatives.</summary>
    public bool NeedsAll => Kind == "multi_page";
}

/// <summary>A dataset folder: manifest.jsonl, questions.jsonl and the documents the manifest names.</summary>
public sealed class Dataset
{
    public required string Name { get; init; }
    public required string Directory { get; init; }
    public required IReadOnlyList<ManifestEntry> Documents { get; init; }
    public required IReadOnlyList<Question> Questions { get; init; }

    public ManifestEntry Document(string id) => Documents.First(d => d.Id == id);
    public string PathOf(ManifestEntry e) => Path.Combine(Directory, e.File);

    public static Dataset Load(string directory)
    {
        var dir = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(dir)) throw new DirectoryNotFoundException($"Dataset folder not found: {dir}");
        return new Dataset
        {
            Name = new DirectoryInfo(dir).Name,
            Directory = dir,
            Documents = ReadJsonl<ManifestEntry>(Path.Combine(dir, "manifest.jsonl")),
            Questions = ReadJsonl<Question>(Path.Combine(dir, "questions.jsonl")),
        };
    }

    private static List<T> ReadJsonl<T>(string path) =>
        File.ReadLines(path).Where(l => !string.IsNullOrWhiteSpace(l))
            .Select(l => JsonSerializer.Deserialize<T>(l, Json.Options) ?? throw new InvalidDataException($"Bad line in {path}: {l}"))
            .ToList();

    /// <summary>Summary recorded with every result ("which corpus").</summary>
    public CorpusInfo Describe() => new(Name, Path.GetRelativePath(System.IO.Directory.GetCurrentDirectory(), Directory),
        Documents.Count, Documents.GroupBy(d => d.SourceType).ToDictionary(g => g.Key, g => g.Count()),
        Questions.Count, Questions.GroupBy(q => q.Kind).ToDictionary(g => g.Key, g => g.Count()));
}

public sealed record CorpusInfo(string Name, string Path, int Documents, IReadOnlyDictionary<string, int> DocumentsByType,
    int Questions, IReadOnlyDictionary<string, int> QuestionsByKind);
