using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace TeacherPlatform.Ai.Rag;

/// <summary>
/// Prompt templates loaded once from src/Ai/Prompts (copied next to the binaries). The version is the manifest's
/// version plus a hash of every file, so that editing a prompt changes every answer cache key.
/// </summary>
public sealed class PromptLibrary
{
    public PromptLibrary(string? directory = null)
    {
        var dir = directory ?? Path.Combine(AppContext.BaseDirectory, "Prompts");
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"Prompt templates not found in {dir}");
        string Read(string name) => File.ReadAllText(Path.Combine(dir, name)).Replace("\r\n", "\n");
        System = Read("system.md").Trim();
        Answer = Read("answer.md");
        History = Read("history.md");
        NotCovered = Read("not_covered.md").Trim();
        WeakEvidence = Read("weak_evidence.md").Trim();
        Rewrite = Read("rewrite.md");
        using var manifest = JsonDocument.Parse(Read("prompts.json"));
        var declared = manifest.RootElement.GetProperty("version").GetString() ?? "0";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', System, Answer, History, NotCovered, Rewrite, WeakEvidence)));
        Version = $"{declared}+{Convert.ToHexStringLower(hash)[..8]}";
    }

    public string Version { get; }
    public string System { get; }
    public string Answer { get; }
    public string History { get; }
    public string NotCovered { get; }
    /// <summary>Opening line of a LOW-confidence answer that still has relevant passages (they are cited, the evidence is called weak).</summary>
    public string WeakEvidence { get; }
    public string Rewrite { get; }

    public static string Fill(string template, IReadOnlyDictionary<string, string> values)
    {
        var sb = new StringBuilder(template);
        foreach (var (key, value) in values) sb.Replace("{{" + key + "}}", value);
        return sb.ToString();
    }
}
