namespace TeacherPlatform.Ai.Text;

/// <summary>
/// Rule-based sentence boundaries: a terminator (. ! ? …), optional closing quotes/brackets, whitespace, then an
/// upper-case letter, digit or opening quote. Abbreviations ("e.g.", "Dr.", "Op.", "No."), initials ("J. S. Bach")
/// and decimals ("3.5", no whitespace) do not end sentences.
/// </summary>
public static class SentenceSplitter
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "e.g", "i.e", "cf", "viz", "al", "fig", "figs",
        "no", "nos", "op", "opp", "vol", "vols", "ed", "eds", "p", "pp", "ch", "chap", "sec", "approx", "ca", "min",
        "max", "dept", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
        "oct", "nov", "dec", "mm", "bb", "ex", "nr", "resp", "incl", "esp", "mvt", "mov",
    };

    private const string Terminators = ".!?…";
    private const string Closers = "\"'”’)]»";
    private const string Openers = "\"'“‘([«¿¡";

    /// <summary>Sentence ranges [Start, End) within text[start..end), trimmed, never empty.</summary>
    public static IReadOnlyList<(int Start, int End)> Split(string text, int start, int end)
    {
        var sentences = new List<(int, int)>();
        var sentenceStart = SkipWhitespace(text, start, end);
        for (var i = sentenceStart; i < end; i++)
        {
            if (!Terminators.Contains(text[i])) continue;

            var j = i + 1;
            while (j < end && (Terminators.Contains(text[j]) || Closers.Contains(text[j]))) j++;
            if (j < end && !char.IsWhiteSpace(text[j])) continue; // "3.5", "e.g.,", "U.S.A"

            var next = SkipWhitespace(text, j, end);
            if (next < end && !StartsSentence(text[next])) continue;
            if (text[i] == '.' && IsAbbreviation(text, sentenceStart, i)) continue;

            Add(sentences, text, sentenceStart, j);
            sentenceStart = next;
            i = next - 1;
        }

        Add(sentences, text, sentenceStart, end);
        return sentences;
    }

    private static bool StartsSentence(char c) => char.IsUpper(c) || char.IsDigit(c) || Openers.Contains(c);

    private static bool IsAbbreviation(string text, int sentenceStart, int dot)
    {
        var wordStart = dot;
        while (wordStart > sentenceStart && !char.IsWhiteSpace(text[wordStart - 1])) wordStart--;
        var word = text.AsSpan(wordStart, dot - wordStart).TrimStart(Openers);
        if (word.Length == 1 && char.IsLetter(word[0])) return true; // initial
        return Abbreviations.Contains(word.ToString());
    }

    private static void Add(List<(int, int)> sentences, string text, int start, int end)
    {
        while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
        if (end > start) sentences.Add((start, end));
    }

    private static int SkipWhitespace(string text, int i, int end)
    {
        while (i < end && char.IsWhiteSpace(text[i])) i++;
        return i;
    }
}
