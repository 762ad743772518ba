using System.Globalization;
using System.Text;

namespace TeacherPlatform.Evals.Metrics;

/// <summary>SQuAD-style token F1: lower-case, strip punctuation and the articles a/an/the, split on whitespace.</summary>
public static class TokenF1
{
    public sealed record Score(double Precision, double Recall, double F1);

    public static IReadOnlyList<string> Normalize(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text.Normalize(NormalizationForm.FormKD))
        {
            var cat = CharUnicodeInfo.GetUnicodeCategory(ch);
            if (cat == UnicodeCategory.NonSpacingMark) continue; // é -> e
            if (char.IsPunctuation(ch) || char.IsSymbol(ch)) { sb.Append(' '); continue; }
            sb.Append(char.ToLowerInvariant(ch));
        }
        return sb.ToString()
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Where(t => t is not ("a" or "an" or "the"))
            .ToArray();
    }

    public static Score Compute(string prediction, string reference)
    {
        var p = Normalize(prediction);
        var r = Normalize(reference);
        if (p.Count == 0 || r.Count == 0)
        {
            var both = p.Count == 0 && r.Count == 0 ? 1 : 0;
            return new Score(both, both, both);
        }
        var counts = r.GroupBy(t => t, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var common = 0;
        foreach (var t in p)
        {
            if (counts.TryGetValue(t, out var c) && c > 0) { common++; counts[t] = c - 1; }
        }
        if (common == 0) return new Score(0, 0, 0);
        var precision = (double)common / p.Count;
        var recall = (double)common / r.Count;
        return new Score(precision, recall, 2 * precision * recall / (precision + recall));
    }
}
