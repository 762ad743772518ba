using System.Globalization;
using System.Text;

namespace TeacherPlatform.Ai.Retrieval;

/// <summary>
/// The keyword analysis of SQLite's FTS5 table (tokenize='porter unicode61 remove_diacritics 2'), in C#, so that
/// PostgreSQL indexes and queries exactly the tokens FTS5 does (its own 'english' configuration stems with Snowball
/// and drops stop words, which ranked ranks 11–50 of the keyword lists differently). Tokens: maximal runs of letters
/// (L*), digits and other numbers (N*), private-use characters (Co) and the combining diacritics unicode61 folds away;
/// everything else separates. Each token is lower-cased (simple case mapping), Latin letters lose their diacritics,
/// and the result goes through the Porter stemmer as FTS5 applies it (on the UTF-8 bytes, tokens of 3 to 64 bytes,
/// with Porter's published departures 'bli' → 'ble' and 'logi' → 'log').
/// </summary>
public static class KeywordAnalyzer
{
    /// <summary>Tokens of <paramref name="text"/> in order (positions are the list indexes), analysed.</summary>
    public static List<string> Tokens(string text)
    {
        var tokens = new List<string>();
        var sb = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (!IsTokenChar(rune)) { Flush(); continue; }
            var folded = Fold(rune);
            if (folded.Value != 0) sb.Append(folded.ToString());
        }
        Flush();
        return tokens;

        void Flush()
        {
            // A run of folded-away diacritics alone is no token (FTS5 emits none either).
            if (sb.Length > 0) tokens.Add(PorterStemmer.Stem(sb.ToString()));
            sb.Clear();
        }
    }

    /// <summary>The analysed form of one query word (a run of letters and digits: one token), or null if it has none.</summary>
    public static string? Term(string word) => Tokens(word) is [var only, ..] ? only : null;

    // unicode61 with remove_diacritics treats these combining marks as token characters and folds them to nothing
    // (so "e\u0301" is "e"); every other combining mark separates tokens.
    private static bool IsFoldedDiacritic(int c) =>
        c is (>= 0x300 and <= 0x304) or (>= 0x306 and <= 0x30C) or 0x30F or 0x311 or 0x31B or (>= 0x323 and <= 0x328)
            or 0x32D or 0x32E or 0x330 or 0x331;

    private static bool IsTokenChar(Rune r)
    {
        if (r.IsAscii) return char.IsAsciiLetterOrDigit((char)r.Value);
        if (IsFoldedDiacritic(r.Value)) return true;
        return Rune.GetUnicodeCategory(r) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
                or UnicodeCategory.PrivateUse => true,
            _ => false,
        };
    }

    /// <summary>Lower-case; a Latin letter with diacritics becomes its ASCII base letter; a folded diacritic becomes 0.</summary>
    private static Rune Fold(Rune r)
    {
        if (r.IsAscii) return new Rune(char.ToLowerInvariant((char)r.Value));
        if (IsFoldedDiacritic(r.Value)) return new Rune(0);
        var lower = Rune.ToLowerInvariant(r);
        var c = lower.Value;
        var ascii = c is >= 0xC0 and < 0x250 ? LatinBase[c - 0xC0] : c is >= 0x1E00 and < 0x1F00 ? LatinExtendedAdditionalBase[c - 0x1E00] : '.';
        return ascii == '.' ? lower : new Rune(ascii);
    }

    // remove_diacritics 2: the ASCII base letter of each code point of U+00C0–U+024F and U+1E00–U+1EFF ('.' = kept as
    // it is), read off FTS5 itself (the app runs with invariant globalization, so no Unicode decomposition is at hand).
    // KeywordAnalyzerTests checks every entry against the SQLite the app ships.
    private const string LatinBase =
        "aaaaaa.ceeeeiiii.nooooo..uuuuy..aaaaaa.ceeeeiiii.nooooo..uuuuy.y" +
        "aaaaaaccccccccdd..eeeeeeeeeegggggggghh..iiiiiiiii...jjkk.llllll." +
        "...nnnnnn...oooooo..rrrrrrsssssssstttt..uuuuuuuuuuuuwwyyyzzzzzzs" +
        "................................oo.............uu..............." +
        ".............aaiioouuuuuuuuuu.aa......ggkkoooo..j...gg..nnaa...." +
        "aaaaeeeeiiiioooorrrruuuusstt..hh......aaeeooooooooyy............" +
        "................";

    private const string LatinExtendedAdditionalBase =
        "aabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiiikkkkkkllllllllmm" +
        "mmmmnnnnnnnnoooooooopppprrrrrrrrssssssssssttttttttuuuuuuuuuuvvvv" +
        "wwwwwwwwwwxxxxyyzzzzzzhtwy.s....aaaaaaaaaaaaaaaaaaaaaaaaeeeeeeee" +
        "eeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy......";
}

/// <summary>
/// The Porter (1980) stemmer as SQLite's FTS5 'porter' tokenizer applies it: on the token's UTF-8 bytes (a non-ASCII byte
/// is a consonant), tokens shorter than 3 or longer than 64 bytes unchanged, with the departures of Porter's reference
/// implementation ('bli' → 'ble', 'logi' → 'log').
/// </summary>
public static class PorterStemmer
{
    public static string Stem(string token)
    {
        var bytes = Encoding.UTF8.GetBytes(token);
        if (bytes.Length < 3 || bytes.Length > 64) return token;
        var s = new Word(bytes);
        s.Step1ab();
        if (s.K > 0) { s.Step1c(); s.Step2(); s.Step3(); s.Step4(); s.Step5(); }
        return Encoding.UTF8.GetString(s.B, 0, s.K + 1);
    }

    // Porter's reference algorithm: B[0..K] is the word, J the end of the stem once a suffix matched.
    private sealed class Word(byte[] b)
    {
        public byte[] B = b;
        public int K = b.Length - 1;
        private int _j;

        private bool Cons(int i) => B[i] switch
        {
            (byte)'a' or (byte)'e' or (byte)'i' or (byte)'o' or (byte)'u' => false,
            (byte)'y' => i == 0 || !Cons(i - 1),
            _ => true,
        };

        /// <summary>The number of vowel-consonant sequences in B[0..J].</summary>
        private int M()
        {
            int n = 0, i = 0;
            while (true) { if (i > _j) return n; if (!Cons(i)) break; i++; }
            i++;
            while (true)
            {
                while (true) { if (i > _j) return n; if (Cons(i)) break; i++; }
                i++;
                n++;
                while (true) { if (i > _j) return n; if (!Cons(i)) break; i++; }
                i++;
            }
        }

        private bool VowelInStem() { for (var i = 0; i <= _j; i++) if (!Cons(i)) return true; return false; }

        private bool DoubleC(int j) => j >= 1 && B[j] == B[j - 1] && Cons(j);

        private bool Cvc(int i) => i >= 2 && Cons(i) && !Cons(i - 1) && Cons(i - 2) && B[i] is not ((byte)'w' or (byte)'x' or (byte)'y');

        private bool Ends(string s)
        {
            var n = s.Length;
            if (n > K + 1 || B[K] != s[n - 1]) return false;
            for (var i = 0; i < n; i++) if (B[K - n + 1 + i] != s[i]) return false;
            _j = K - n;
            return true;
        }

        private void SetTo(string s)
        {
            var n = s.Length;
            if (_j + 1 + n > B.Length) Array.Resize(ref B, _j + 1 + n);
            for (var i = 0; i < n; i++) B[_j + 1 + i] = (byte)s[i];
            K = _j + n;
        }

        private void R(string s) { if (M() > 0) SetTo(s); }

        public void Step1ab()
        {
            if (B[K] == 's')
            {
                if (Ends("sses")) K -= 2;
                else if (Ends("ies")) SetTo("i");
                else if (B[K - 1] != 's') K--;
            }
            if (Ends("eed")) { if (M() > 0) K--; }
            else if ((Ends("ed") || Ends("ing")) && VowelInStem())
            {
                K = _j;
                if (Ends("at")) SetTo("ate");
                else if (Ends("bl")) SetTo("ble");
                else if (Ends("iz")) SetTo("ize");
                else if (DoubleC(K))
                {
                    K--;
                    if (B[K] is (byte)'l' or (byte)'s' or (byte)'z') K++;
                }
                else if (M() == 1 && Cvc(K)) SetTo("e");
            }
        }

        public void Step1c() { if (Ends("y") && VowelInStem()) B[K] = (byte)'i'; }

        public void Step2()
        {
            if (K < 1) return;
            string[][] rules = B[K - 1] switch
            {
                (byte)'a' => [["ational", "ate"], ["tional", "tion"]],
                (byte)'c' => [["enci", "ence"], ["anci", "ance"]],
                (byte)'e' => [["izer", "ize"]],
                (byte)'l' => [["bli", "ble"], ["alli", "al"], ["entli", "ent"], ["eli", "e"], ["ousli", "ous"]],
                (byte)'o' => [["ization", "ize"], ["ation", "ate"], ["ator", "ate"]],
                (byte)'s' => [["alism", "al"], ["iveness", "ive"], ["fulness", "ful"], ["ousness", "ous"]],
                (byte)'t' => [["aliti", "al"], ["iviti", "ive"], ["biliti", "ble"]],
                (byte)'g' => [["logi", "log"]],
                _ => [],
            };
            Replace(rules);
        }

        public void Step3()
        {
            string[][] rules = B[K] switch
            {
                (byte)'e' => [["icate", "ic"], ["ative", ""], ["alize", "al"]],
                (byte)'i' => [["iciti", "ic"]],
                (byte)'l' => [["ical", "ic"], ["ful", ""]],
                (byte)'s' => [["ness", ""]],
                _ => [],
            };
            Replace(rules);
        }

        // The first suffix that matches decides (replaced only when the stem has m > 0), as in the reference.
        private void Replace(string[][] rules)
        {
            foreach (var rule in rules)
                if (Ends(rule[0])) { R(rule[1]); return; }
        }

        public void Step4()
        {
            if (K < 1) return;
            string[] suffixes = B[K - 1] switch
            {
                (byte)'a' => ["al"],
                (byte)'c' => ["ance", "ence"],
                (byte)'e' => ["er"],
                (byte)'i' => ["ic"],
                (byte)'l' => ["able", "ible"],
                (byte)'n' => ["ant", "ement", "ment", "ent"],
                (byte)'o' => ["ion", "ou"],
                (byte)'s' => ["ism"],
                (byte)'t' => ["ate", "iti"],
                (byte)'u' => ["ous"],
                (byte)'v' => ["ive"],
                (byte)'z' => ["ize"],
                _ => [],
            };
            var matched = false;
            foreach (var suffix in suffixes)
            {
                if (!Ends(suffix)) continue;
                // "-ion" only after s or t.
                if (suffix == "ion" && !(_j >= 0 && B[_j] is (byte)'s' or (byte)'t')) continue;
                matched = true;
                break;
            }
            if (matched && M() > 1) K = _j;
        }

        public void Step5()
        {
            _j = K;
            if (B[K] == 'e')
            {
                var a = M();
                if (a > 1 || a == 1 && !Cvc(K - 1)) K--;
            }
            if (B[K] == 'l' && DoubleC(K) && M() > 1) K--;
        }
    }
}

/// <summary>
/// <see cref="KeywordAnalyzer"/> output in PostgreSQL's tsvector and tsquery input syntax: PostgreSQL stores and
/// matches these lexemes as given (no parser, no dictionary), so its index holds exactly FTS5's tokens.
/// </summary>
public static class PostgresKeywordSyntax
{
    // tsvector limits: a lexeme is at most 2047 bytes, a position at most 16383 (larger ones would be clamped),
    // at most 256 positions per lexeme. FTS5 has none of these; chunks are far below them.
    private const int MaxLexemeBytes = 2047;
    private const int MaxPosition = 16383;
    private const int MaxPositions = 256;

    /// <summary>Weight label of the source field's positions (the text's carry none, PostgreSQL's D).</summary>
    public const string SourceLabel = "A";

    /// <summary>
    /// The tsvector literal of a chunk's text and source field, and its length in tokens (every token of both fields
    /// counts, as FTS5 counts a row's columns). The source's positions follow the text's after a gap, so no phrase
    /// spans the two fields, and carry the weight label <see cref="SourceLabel"/>.
    /// </summary>
    public static (string Tsvector, int Length) Document(string text, string source)
    {
        var tokens = KeywordAnalyzer.Tokens(text);
        var sourceTokens = KeywordAnalyzer.Tokens(source);
        var positions = new Dictionary<string, List<(int Position, bool Source)>>(StringComparer.Ordinal);
        void Add(string token, int position, bool isSource)
        {
            if (position > MaxPosition || Encoding.UTF8.GetByteCount(token) > MaxLexemeBytes) return;
            if (!positions.TryGetValue(token, out var list)) positions[token] = list = [];
            if (list.Count < MaxPositions) list.Add((position, isSource));
        }
        for (var i = 0; i < tokens.Count; i++) Add(tokens[i], i + 1, false);
        var sourceStart = Math.Min(tokens.Count, MaxPosition) + 2;
        for (var i = 0; i < sourceTokens.Count; i++) Add(sourceTokens[i], sourceStart + i, true);
        var sb = new StringBuilder();
        foreach (var (lexeme, list) in positions)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(Quote(lexeme)).Append(':').AppendJoin(',', list.Select(p => p.Source ? $"{p.Position}{SourceLabel}" : $"{p.Position}"));
        }
        return (sb.ToString(), tokens.Count + sourceTokens.Count);
    }

    /// <summary>A tsquery matching one lexeme, or several at consecutive positions (a phrase).</summary>
    public static string Query(params string[] lexemes) => string.Join(" <-> ", lexemes.Select(Quote));

    private static string Quote(string lexeme) => "'" + lexeme.Replace("\\", "\\\\").Replace("'", "''") + "'";
}
