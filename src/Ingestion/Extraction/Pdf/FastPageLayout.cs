using System.Text;
using UglyToad.PdfPig.Content;

namespace TeacherPlatform.Ingestion.Extraction.Pdf;

/// <summary>
/// Linear-time layout for the common page: letters in content-stream order → words (explicit spaces or gaps) → lines
/// (same baseline, no column-sized gap) → blocks (next line just below, overlapping, same size; a gap wider than 1.3×
/// the page's usual line spacing starts a paragraph). Typesetting programs write text in reading order, so when the
/// blocks come out top to bottom, or jump up only into a column further right, content order IS the reading order and
/// the costly nearest-neighbour word grouping, Docstrum and reading-order detection are skipped. Anything else —
/// rotated or vertical text, blocks that go back up over earlier ones — returns null and takes the full analysis.
/// </summary>
internal static class FastPageLayout
{
    private sealed class Word(double left, double baseline, double size, bool bold)
    {
        public readonly StringBuilder Text = new();
        public double Left = left, Right = left, Baseline = baseline, Size = size;
        public bool Bold = bold;
    }

    private sealed class Line(Word first)
    {
        public readonly List<Word> Words = [first];
        public double Left = first.Left, Right = first.Right, Baseline = first.Baseline, Size = first.Size;
        /// <summary>Every word in a bold face: a heading line when the lines around it are not.</summary>
        public bool Bold = first.Bold;
    }

    private sealed class Block(Line first)
    {
        public readonly List<Line> Lines = [first];
        public double Left = first.Left, Right = first.Right, Top = first.Baseline + first.Size, Bottom = first.Baseline;
    }

    public static PageLayout? TryRead(Page page)
    {
        var words = Words(page.Letters);
        if (words is null) return null;
        if (words.Count == 0) return new PageLayout(page.Number, []);

        var lines = Lines(words);
        var spacing = TypicalLineSpacing(lines);
        var blocks = new List<Block>();
        Block? current = null;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (current is not null && Continues(current, lines[i - 1], line, spacing))
            {
                current.Lines.Add(line);
                current.Left = Math.Min(current.Left, line.Left);
                current.Right = Math.Max(current.Right, line.Right);
                current.Bottom = line.Baseline;
                continue;
            }

            if (current is not null && !FollowsInReadingOrder(blocks, line)) return null;
            blocks.Add(current = new Block(line));
        }

        return new PageLayout(page.Number, blocks
            .Select(IReadOnlyList<string> (b) => b.Lines.Select(l => string.Join(' ', l.Words.Select(w => w.Text.ToString()))).ToList())
            .ToList());
    }

    /// <summary>Words in content order, or null when the page has text that is not left-to-right horizontal.</summary>
    private static List<Word>? Words(IReadOnlyList<Letter> letters)
    {
        var words = new List<Word>();
        Word? word = null;
        Letter? previous = null;
        foreach (var letter in letters)
        {
            var value = letter.Value;
            if (string.IsNullOrWhiteSpace(value)) { word = null; continue; }
            if (letter.TextOrientation != TextOrientation.Horizontal) return null;

            var size = Size(letter);
            var x = letter.StartBaseLine.X;
            var y = letter.StartBaseLine.Y;
            if (word is not null && previous is not null)
            {
                var gap = x - previous.EndBaseLine.X;
                var sameLine = Math.Abs(y - previous.StartBaseLine.Y) <= 0.25 * Math.Max(size, word.Size);
                if (!sameLine || gap > 0.2 * Math.Max(size, word.Size) || gap < -0.5 * size) word = null;
            }

            var bold = IsBold(letter);
            if (word is null) words.Add(word = new Word(x, y, size, bold));
            word.Bold &= bold;
            word.Text.Append(value);
            word.Right = Math.Max(word.Right, letter.EndBaseLine.X);
            word.Size = Math.Max(word.Size, size);
            previous = letter;
        }

        return words;
    }

    private static bool IsBold(Letter letter) =>
        letter.FontDetails?.IsBold == true || letter.FontName?.Contains("Bold", StringComparison.OrdinalIgnoreCase) == true;

    private static double Size(Letter letter)
    {
        var size = letter.PointSize;
        if (size <= 0 || double.IsNaN(size)) size = letter.BoundingBox.Height;
        return size > 0 ? size : 1;
    }

    /// <summary>Consecutive words on one baseline, split where the gap is column-sized.</summary>
    private static List<Line> Lines(List<Word> words)
    {
        var lines = new List<Line>();
        Line? line = null;
        foreach (var word in words)
        {
            if (line is not null)
            {
                var size = Math.Max(line.Size, word.Size);
                var gap = word.Left - line.Right;
                // Half a line of tolerance keeps superscripts and subscripts on their line.
                if (Math.Abs(word.Baseline - line.Baseline) <= 0.5 * size && gap >= -0.5 * size && gap <= 2.5 * size)
                {
                    line.Words.Add(word);
                    line.Right = Math.Max(line.Right, word.Right);
                    line.Size = Math.Max(line.Size, word.Size);
                    line.Bold &= word.Bold;
                    continue;
                }
            }

            lines.Add(line = new Line(word));
        }

        return lines;
    }

    /// <summary>Median distance between consecutive baselines that look like lines of one paragraph.</summary>
    private static double TypicalLineSpacing(List<Line> lines)
    {
        var gaps = new List<double>(lines.Count);
        for (var i = 1; i < lines.Count; i++)
        {
            var dy = lines[i - 1].Baseline - lines[i].Baseline;
            if (dy > 0 && dy < 3 * Math.Max(lines[i].Size, lines[i - 1].Size) && Overlaps(lines[i - 1].Left, lines[i - 1].Right, lines[i].Left, lines[i].Right))
                gaps.Add(dy);
        }

        if (gaps.Count == 0) return 0;
        gaps.Sort();
        return gaps[gaps.Count / 2];
    }

    private static bool Continues(Block block, Line previous, Line line, double spacing)
    {
        var dy = previous.Baseline - line.Baseline;
        var size = Math.Max(previous.Size, line.Size);
        var limit = spacing > 0 ? Math.Min(1.3 * spacing, 2.5 * size) : 1.5 * size;
        return dy > 0 && dy <= limit + 0.01
               && Math.Abs(previous.Size - line.Size) <= 0.2 * size
               // A bold line next to regular ones is a heading set close to its paragraph: its own block.
               && previous.Bold == line.Bold
               && !StartsListItem(line)
               && Overlaps(block.Left, block.Right, line.Left, line.Right);
    }

    /// <summary>
    /// A new block must not start above an earlier block's last line unless it lies entirely to the right of it (the
    /// top of the next column); otherwise the content stream is not in reading order.
    /// </summary>
    private static bool FollowsInReadingOrder(List<Block> blocks, Line line)
    {
        var tolerance = 0.25 * line.Size;
        foreach (var block in blocks)
            if (line.Baseline > block.Bottom + tolerance && line.Left < block.Right - tolerance)
                return false;
        return true;
    }

    /// <summary>Bullets start their own paragraph even when the list is set as tightly as the text around it.</summary>
    private static bool StartsListItem(Line line) => line.Words[0].Text[0] is '•' or '◦' or '▪' or '‣' or '∙' or '●' or '○' or '■' or '□';

    private static bool Overlaps(double l1, double r1, double l2, double r2) => l1 < r2 && l2 < r1;
}
