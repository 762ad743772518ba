using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TeacherPlatform.Evals.Metrics;

public sealed record JudgeScore(double FactualOverlap, double Faithfulness);

/// <summary>
/// Ragas-style LLM judge over an OpenAI-compatible /v1/chat/completions endpoint: factual overlap with the reference
/// answer (share of reference facts the answer states, 0..1) and faithfulness (share of answer claims supported by
/// the cited source snippets, 0..1). Only used when --judge-url and --judge-model are given.
/// </summary>
public sealed partial class LlmJudge(HttpClient http, string model, string? apiKey)
{
    private const string System =
        "You grade answers from a piano-pedagogy assistant. Reply with JSON only: " +
        "{\"factual_overlap\": number 0..1, \"faithfulness\": number 0..1}. factual_overlap = fraction of the facts in the " +
        "REFERENCE that the ANSWER states (paraphrase counts). faithfulness = fraction of the claims in the ANSWER that " +
        "are supported by the SOURCES. No prose.";

    [GeneratedRegex(@"\{[^{}]*\}", RegexOptions.Singleline)]
    private static partial Regex JsonObject();

    public async Task<JudgeScore?> ScoreAsync(string question, string reference, string answer, IEnumerable<string> sources, CancellationToken ct)
    {
        var user = $"QUESTION:\n{question}\n\nREFERENCE:\n{reference}\n\nANSWER:\n{answer}\n\nSOURCES:\n" +
                   string.Join("\n---\n", sources.Select((s, i) => $"[{i + 1}] {s}"));
        using var req = new HttpRequestMessage(HttpMethod.Post, "chat/completions")
        {
            Content = JsonContent.Create(new
            {
                model,
                temperature = 0,
                messages = new object[] { new { role = "system", content = System }, new { role = "user", content = user } },
            }),
        };
        if (!string.IsNullOrEmpty(apiKey)) req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var r = await http.SendAsync(req, ct);
        if (!r.IsSuccessStatusCode) return null;
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync(ct));
        var text = doc.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString() ?? "";
        return Parse(text);
    }

    public static JudgeScore? Parse(string text)
    {
        var m = JsonObject().Match(text);
        if (!m.Success) return null;
        try
        {
            using var d = JsonDocument.Parse(m.Value);
            double Get(string n) => d.RootElement.TryGetProperty(n, out var v) && v.TryGetDouble(out var x) ? Math.Clamp(x, 0, 1) : double.NaN;
            var s = new JudgeScore(Get("factual_overlap"), Get("faithfulness"));
            return double.IsNaN(s.FactualOverlap) || double.IsNaN(s.Faithfulness) ? null : s;
        }
        catch (JsonException) { return null; }
    }
}
