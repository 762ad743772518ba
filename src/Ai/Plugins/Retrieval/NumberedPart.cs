namespace TeacherPlatform.Ai.Retrieval;

/// <summary>
/// A numbered part of a book as a question names it ("chapter three", "lesson 12", "the fourth lesson", "part ii"), and
/// the other ways books print the same number: students write digits or words, old books print Roman numerals.
/// </summary>
internal static class NumberedPart
{
    private const int MaxNumber = 50;

    private static readonly HashSet<string> Parts = new(StringComparer.Ordinal)
    {
        "chapter", "lesson", "part", "section", "lecture", "letter", "exercise", "etude", "book", "volume", // not "study": "I study two hours"
    };

    private static readonly string[] Cardinals =
    [
        "", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
    ];

    private static readonly string[] Ordinals =
    [
        "", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
        "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth",
    ];

    /// <summary>The part and its number when the two words name one ("chapter" + "three", "third" + "chapter"), else null.</summary>
    public static (string? Part, int Number) Parse(string first, string second)
    {
        if (Parts.Contains(first) && Number(second, ordinal: false) is { } n) return (first, n);
        if (Parts.Contains(second) && Number(first, ordinal: true) is { } m) return (second, m);
        return (null, 0);
    }

    /// <summary>Every spelling of the numbered part, in the index's lower-case words.</summary>
    public static IEnumerable<string> Spellings(string part, int n)
    {
        yield return $"{part} {n}";
        if (n > 1) yield return $"{part} {Roman(n)}"; // "i" would match "in this chapter I shall…"
        // Not "third chapter": "the first part of the piece" is everyday prose.
        if (n < Cardinals.Length) yield return $"{part} {Cardinals[n]}";
    }

    private static int? Number(string word, bool ordinal)
    {
        if (ordinal)
        {
            var i = Array.IndexOf(Ordinals, word);
            if (i > 0) return i;
            // "3rd", "12th": the digits and an English ordinal suffix.
            var digits = word.TakeWhile(char.IsAsciiDigit).Count();
            return digits is > 0 and <= 2 && word[digits..] is "st" or "nd" or "rd" or "th" ? InRange(int.Parse(word[..digits])) : null;
        }
        if (word.All(char.IsAsciiDigit) && word.Length <= 2) return InRange(int.Parse(word));
        var c = Array.IndexOf(Cardinals, word);
        if (c > 0) return c;
        return FromRoman(word);
    }

    private static int? InRange(int n) => n is >= 1 and <= MaxNumber ? n : null;

    private static string Roman(int n)
    {
        ReadOnlySpan<(int Value, string Numeral)> table = [(50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")];
        var s = "";
        foreach (var (value, numeral) in table)
            while (n >= value) { s += numeral; n -= value; }
        return s;
    }

    // Only a numeral this class would write itself ("iv", not "iiii"), and never "i" (the pronoun), nor a single letter ("v", "x").
    private static readonly Dictionary<string, int> RomanNumbers =
        Enumerable.Range(2, MaxNumber - 1).Select(n => (Numeral: Roman(n), n)).Where(r => r.Numeral.Length > 1)
            .ToDictionary(r => r.Numeral, r => r.n, StringComparer.Ordinal);

    private static int? FromRoman(string word) => RomanNumbers.TryGetValue(word, out var n) ? n : null;
}
