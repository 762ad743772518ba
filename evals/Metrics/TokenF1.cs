using System.Globalization;
using System.Text;

namespace TeacherPlatform.Evals.Metrics;

/// <summary>SQuAD-style token F1: lower-case, strip punctuation and the articles a/an/the, split on whitespace.</summary>
public static class TokenF1
{
    public sealed record Score(double Precision, double Recall, double F1);

    /// <summary>Latin-1 Supplement and Latin Extended-A letters to lower-case ASCII (generated from Unicode NFKD).</summary>
    private static readonly Dictionary<char, string> Fold = new()
    {
        {'À', "a"},
        {'Á', "a"},
        {'Â', "a"},
        {'Ã', "a"},
        {'Ä', "a"},
        {'Å', "a"},
        {'Ç', "c"},
        {'È', "e"},
        {'É', "e"},
        {'Ê', "e"},
        {'Ë', "e"},
        {'Ì', "i"},
        {'Í', "i"},
        {'Î', "i"},
        {'Ï', "i"},
        {'Ñ', "n"},
        {'Ò', "o"},
        {'Ó', "o"},
        {'Ô', "o"},
        {'Õ', "o"},
        {'Ö', "o"},
        {'Ù', "u"},
        {'Ú', "u"},
        {'Û', "u"},
        {'Ü', "u"},
        {'Ý', "y"},
        {'à', "a"},
        {'á', "a"},
        {'â', "a"},
        {'ã', "a"},
        {'ä', "a"},
        {'å', "a"},
        {'ç', "c"},
        {'è', "e"},
        {'é', "e"},
        {'ê', "e"},
        {'ë', "e"},
        {'ì', "i"},
        {'í', "i"},
        {'î', "i"},
        {'ï', "i"},
        {'ñ', "n"},
        {'ò', "o"},
        {'ó', "o"},
        {'ô', "o"},
        {'õ', "o"},
        {'ö', "o"},
        {'ù', "u"},
        {'ú', "u"},
        {'û', "u"},
        {'ü', "u"},
        {'ý', "y"},
        {'ÿ', "y"},
        {'Ā', "a"},
        {'ā', "a"},
        {'Ă', "a"},
        {'ă', "a"},
        {'Ą', "a"},
        {'ą', "a"},
        {'Ć', "c"},
        {'ć', "c"},
        {'Ĉ', "c"},
        {'ĉ', "c"},
        {'Ċ', "c"},
        {'ċ', "c"},
        {'Č', "c"},
        {'č', "c"},
        {'Ď', "d"},
        {'ď', "d"},
        {'Ē', "e"},
        {'ē', "e"},
        {'Ĕ', "e"},
        {'ĕ', "e"},
        {'Ė', "e"},
        {'ė', "e"},
        {'Ę', "e"},
        {'ę', "e"},
        {'Ě', "e"},
        {'ě', "e"},
        {'Ĝ', "g"},
        {'ĝ', "g"},
        {'Ğ', "g"},
        {'ğ', "g"},
        {'Ġ', "g"},
        {'ġ', "g"},
        {'Ģ', "g"},
        {'ģ', "g"},
        {'Ĥ', "h"},
        {'ĥ', "h"},
        {'Ĩ', "i"},
        {'ĩ', "i"},
        {'Ī', "i"},
        {'ī', "i"},
        {'Ĭ', "i"},
        {'ĭ', "i"},
        {'Į', "i"},
        {'į', "i"},
        {'İ', "i"},
        {'Ĳ', "ij"},
        {'ĳ', "ij"},
        {'Ĵ', "j"},
        {'ĵ', "j"},
        {'Ķ', "k"},
        {'ķ', "k"},
        {'Ĺ', "l"},
        {'ĺ', "l"},
        {'Ļ', "l"},
        {'ļ', "l"},
        {'Ľ', "l"},
        {'ľ', "l"},
        {'Ń', "n"},
        {'ń', "n"},
        {'Ņ', "n"},
        {'ņ', "n"},
        {'Ň', "n"},
        {'ň', "n"},
        {'Ō', "o"},
        {'ō', "o"},
        {'Ŏ', "o"},
        {'ŏ', "o"},
        {'Ő', "o"},
        {'ő', "o"},
        {'Ŕ', "r"},
        {'ŕ', "r"},
        {'Ŗ', "r"},
        {'ŗ', "r"},
        {'Ř', "r"},
        {'ř', "r"},
        {'Ś', "s"},
        {'ś', "s"},
        {'Ŝ', "s"},
        {'ŝ', "s"},
        {'Ş', "s"},
        {'ş', "s"},
        {'Š', "s"},
        {'š', "s"},
        {'Ţ', "t"},
        {'ţ', "t"},
        {'Ť', "t"},
        {'ť', "t"},
        {'Ũ', "u"},
        {'ũ', "u"},
        {'Ū', "u"},
        {'ū', "u"},
        {'Ŭ', "u"},
        {'ŭ', "u"},
        {'Ů', "u"},
        {'ů', "u"},
        {'Ű', "u"},
        {'ű', "u"},
        {'Ų', "u"},
        {'ų', "u"},
        {'Ŵ', "w"},
        {'ŵ', "w"},
        {'Ŷ', "y"},
        {'ŷ', "y"},
        {'Ÿ', "y"},
        {'Ź', "z"},
        {'ź', "z"},
        {'Ż', "z"},
        {'ż', "z"},
        {'Ž', "z"},
        {'ž', "z"},
        {'ſ', "s"},
        {'ß', "ss"},
        {'æ', "ae"},
        {'Æ', "ae"},
        {'ø', "o"},
        {'Ø', "o"},
        {'œ', "oe"},
        {'Œ', "oe"},
        {'ð', "d"},
        {'Ð', "d"},
        {'þ', "th"},
        {'Þ', "th"},
        {'ł', "l"},
        {'Ł', "l"},
        {'đ', "d"},
        {'Đ', "d"},
        {'ı', "i"},
    };

    public static IReadOnlyList<string> Normalize(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            // The build uses invariant globalization, where string.Normalize does not decompose: fold Latin letters by table.
            if (Fold.TryGetValue(ch, out var folded)) { sb.Append(folded); continue; }
            var cat = CharUnicodeInfo.GetUnicodeCategory(ch);
            if (cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark) continue;
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
