using System.IO.Compression;
using System.Text;

namespace TeacherPlatform.Tests.Infrastructure;

/// <summary>Bomb-like documents generated in memory (small on disk, huge or absurd once parsed); also compiled into the unit tests.</summary>
public static class HostileInputs
{
    /// <summary>A one-page PDF whose content stream is "Hello" followed by <paramref name="inflatedBytes"/> of spaces, Flate-compressed.</summary>
    public static byte[] FlateBombPdf(long inflatedBytes)
    {
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            z.Write("BT /F1 12 Tf 72 700 Td (Hello bomb) Tj ET\n"u8);
            var spaces = new byte[1 << 20];
            Array.Fill(spaces, (byte)' ');
            for (long written = 0; written < inflatedBytes; written += spaces.Length) z.Write(spaces);
        }

        return Pdf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {compressed.Length} /Filter /FlateDecode >>", compressed.ToArray());
    }

    /// <summary>A one-page PDF whose content stream holds an operand array nested <paramref name="depth"/> levels deep.</summary>
    public static byte[] DeeplyNestedPdf(int depth)
    {
        var content = Encoding.ASCII.GetBytes($"BT /F1 12 Tf 72 700 Td (Nested) Tj ET {new string('[', depth)}1{new string(']', depth)} pop");
        return Pdf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {content.Length} >>", content);
    }

    /// <summary>Catalog, pages, the given page, one content stream and Helvetica, with a correct cross-reference table.</summary>
    private static byte[] Pdf(string page, string streamDictionary, byte[] streamData)
    {
        var output = new MemoryStream();
        var offsets = new List<long>();
        void Write(string s) => output.Write(Encoding.ASCII.GetBytes(s));
        void Object(string body) { offsets.Add(output.Position); Write($"{offsets.Count} 0 obj\n{body}\nendobj\n"); }

        Write("%PDF-1.7\n");
        Object("<< /Type /Catalog /Pages 2 0 R >>");
        Object("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        Object(page);
        offsets.Add(output.Position);
        Write($"4 0 obj\n{streamDictionary}\nstream\n");
        output.Write(streamData);
        Write("\nendstream\nendobj\n");
        Object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        var xref = output.Position;
        Write($"xref\n0 {offsets.Count + 1}\n0000000000 65535 f \n");
        foreach (var o in offsets) Write($"{o:D10} 00000 n \n");
        Write($"trailer\n<< /Size {offsets.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return output.ToArray();
    }

    /// <summary>HTML with <paramref name="depth"/> nested divs around a paragraph.</summary>
    public static string DeeplyNestedHtml(int depth) =>
        "<!DOCTYPE html><html><body>" + string.Concat(Enumerable.Repeat("<div>", depth)) + "<p>Deep text.</p>"
        + string.Concat(Enumerable.Repeat("</div>", depth)) + "</body></html>";

    public static string SiblingSpansHtml(int count)
    {
        var sb = new StringBuilder("<!DOCTYPE html><html><body><p>");
        for (var i = 0; i < count; i++) sb.Append("<span>x</span>");
        return sb.Append("</p></body></html>").ToString();
    }
}
