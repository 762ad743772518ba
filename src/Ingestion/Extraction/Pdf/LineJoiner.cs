using System.Text;

namespace TeacherPlatform.Ingestion.Extraction.Pdf;

/// <summary>
/// Reflows a block's visual lines into one paragraph. A line-end hyphen between letters is a typesetting break
/// ("inde-" + "pendence") unless the next line starts upper-case, which signals a real compound ("Anglo-" + "Saxon").
/// </summary>
internal static class LineJoiner
{
    public static string Join(IEnumerable<string> lines)
    {
        var sb = new StringBuilder();
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0) continue;
            if (sb.Length == 0) { sb.Append(line); continue; }

            var last = sb[^1];
            if (last == '\u00AD')
            {
                sb.Length--; // soft hyphen: always a typesetting break
            }
            else if (last == '-' && sb.Length >= 2 && char.IsLetterOrDigit(sb[^2]))
            {
                if (char.IsLower(line[0]) && char.IsLetter(sb[^2])) sb.Length--;
            }
            else
            {
                sb.Append(' ');
            }

            sb.Append(line);
        }

        return sb.ToString();
    }
}
