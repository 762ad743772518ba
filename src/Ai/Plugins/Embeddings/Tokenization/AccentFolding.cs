using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace TeacherPlatform.Ai.Embeddings.Tokenization;

/// <summary>
/// BERT-uncased accent stripping (NFD, then drop non-spacing marks) that works without ICU.
/// The platform runs with InvariantGlobalization, where <see cref="string.Normalize()"/> is a no-op, so a
/// tokenizer relying on it turns "café" into [UNK]. The decomposition table is generated from ICU ahead of time.
/// </summary>
internal static partial class AccentFolding
{
    private const int HangulBase = 0xAC00, HangulCount = 11172, JamoL = 0x1100, JamoV = 0x1161, JamoT = 0x11A7;
    private const int JamoVCount = 21, JamoTCount = 28;

    // Nested so it initialises after FoldedValues, whose initialiser lives in the other part of this partial class.
    private static class Table
    {
        public static readonly FrozenDictionary<char, string> Map = BuildMap();
    }

    private static FrozenDictionary<char, string> BuildMap()
    {
        if (FoldedKeys.Length != FoldedValues.Length) throw new InvalidOperationException("Accent folding table is inconsistent.");
        var map = new Dictionary<char, string>(FoldedKeys.Length);
        for (var i = 0; i < FoldedKeys.Length; i++) map[FoldedKeys[i]] = FoldedValues[i];
        return map.ToFrozenDictionary();
    }

    /// <summary>Returns <paramref name="text"/> with accents removed; the same instance when it is plain ASCII.</summary>
    public static string Fold(string text)
    {
        if (Ascii.IsValid(text)) return text;
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c < 0x80) { sb.Append(c); continue; }
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (Table.Map.TryGetValue(c, out var folded)) { sb.Append(folded); continue; }
            var h = c - HangulBase;
            if (h is >= 0 and < HangulCount)
            {
                // Hangul syllables decompose into conjoining jamo (none of which are marks), as NFD does.
                sb.Append((char)(JamoL + h / (JamoVCount * JamoTCount)));
                sb.Append((char)(JamoV + h % (JamoVCount * JamoTCount) / JamoTCount));
                if (h % JamoTCount != 0) sb.Append((char)(JamoT + h % JamoTCount));
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }
}
