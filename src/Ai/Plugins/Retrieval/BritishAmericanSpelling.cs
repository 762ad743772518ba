using System.Text.RegularExpressions;

namespace TeacherPlatform.Ai.Retrieval;

/// <summary>
/// The other national spelling of a word: books and students write "colour" / "color", "memorise" / "memorize",
/// "centre" / "center", and the stemmer keeps them apart ("colour" / "color"). Rules, not a dictionary, so inflected
/// forms follow; a rule may produce a word nobody writes ("exercize"), which the search drops because no chunk contains
/// it. Where a rule would turn common words into other real words (-or → -our would make "for" "four"), only the listed
/// stems are turned. Not "practise" / "practice": British books use both (verb and noun), so the other form is already
/// in the corpus and adding it only blurred the ranking (evals/results/experiments-issue10.md, section Y).
/// </summary>
internal static partial class BritishAmericanSpelling
{
    private static readonly HashSet<string> OrStems = new(StringComparer.Ordinal)
    {
        "col", "hon", "lab", "fav", "behavi", "harb", "hum", "vig", "rig", "neighb", "rum", "endeav", "flav", "arm",
        "parl", "val", "cand", "od", "splend", "clam", "ard", "ferv", "sav",
    };

    private static readonly HashSet<string> ErStems = new(StringComparer.Ordinal)
    {
        "cent", "theat", "fib", "met", "lit", "somb", "spect", "lust", "meag", "sab", "calib",
    };

    /// <summary>The other spelling of <paramref name="word"/> (lower case), or null when no rule applies.</summary>
    public static string? Alternative(string word)
    {
        if (IseIze().Match(word) is { Success: true } m)
            return m.Groups[1].Value + (m.Groups[2].Value == "is" ? "iz" : "is") + m.Groups[3].Value;
        if (YseYze().Match(word) is { Success: true } y)
            return y.Groups[1].Value + (y.Groups[2].Value == "ys" ? "yz" : "ys") + y.Groups[3].Value;
        if (Our().Match(word) is { Success: true } o)
            return o.Groups[1].Value + "or" + o.Groups[2].Value;
        if (Or().Match(word) is { Success: true } a && OrStems.Contains(a.Groups[1].Value))
            return a.Groups[1].Value + "our" + a.Groups[2].Value;
        if (Re().Match(word) is { Success: true } r && word is not ("timbre" or "timbres"))
            return r.Groups[1].Value + "er" + r.Groups[2].Value;
        if (Er().Match(word) is { Success: true } e && ErStems.Contains(e.Groups[1].Value))
            return e.Groups[1].Value + "re" + e.Groups[2].Value;
        return null;
    }

    // memorise / memorize, organisation / organization; at least three letters before, so "rise" and "size" stay.
    [GeneratedRegex("^([a-z]{3,})(is|iz)(e|es|ed|ing|er|ers|ation|ations)$")]
    private static partial Regex IseIze();

    // analyse / analyze, paralyse / paralyze.
    [GeneratedRegex("^([a-z]{3,})(ys|yz)(e|es|ed|ing|er|ers)$")]
    private static partial Regex YseYze();

    // colour / color, favourite / favorite; three letters before "our", so "four", "hour" and "your" stay.
    [GeneratedRegex("^([a-z]{3,})our(s|ed|ing|ite|ites|able|ably|ful|less|ist|ists|er|ers)?$")]
    private static partial Regex Our();

    [GeneratedRegex("^([a-z]{2,})or(s|ed|ing|ite|ites|able|ably|ful|less|ist|ists|er|ers)?$")]
    private static partial Regex Or();

    // centre / center, fibre / fiber: a consonant before "re", so "score", "figure" and "there" stay; "timbre" is not
    // "timber".
    [GeneratedRegex("^([a-z]{2,}[bcdfgklmnpstvz])re(s)?$")]
    private static partial Regex Re();

    [GeneratedRegex("^([a-z]{2,}[bcdfgklmnpstvz])er(s)?$")]
    private static partial Regex Er();
}
