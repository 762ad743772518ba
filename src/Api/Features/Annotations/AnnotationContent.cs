using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using TeacherPlatform.Core.Errors;
using TeacherPlatform.Core.Projects;

namespace TeacherPlatform.Api.Features.Annotations;

/// <summary>
/// Per-type validation of annotation <c>content</c>; the accepted value is re-written compactly with only the known fields.
/// Coordinates are normalised to the page (0..1, origin top-left); colours are <c>#rrggbb</c>.
/// <list type="bullet">
/// <item>highlight <c>{rects:[{x,y,width,height}], color, text?}</c>: 1–200 rects inside the page</item>
/// <item>note <c>{x, y, text, color?}</c>: text 1–5000 characters</item>
/// <item>drawing <c>{strokes:[{points:[[x,y],…], color, width}]}</c>: 1–500 strokes, 10 000 points in all, width in (0, 1] of the page width</item>
/// </list>
/// </summary>
public static partial class AnnotationContent
{
    public const int MaxBytes = 128 * 1024;
    public const int MaxRects = 200, MaxStrokes = 500, MaxPoints = 10_000, MaxText = 5000;
    private const double Epsilon = 1e-9;

    /// <summary>Validates <paramref name="content"/> for <paramref name="type"/>, adding errors to <paramref name="v"/>.</summary>
    /// <returns>The compact JSON to store; meaningful only when <paramref name="v"/> stays valid.</returns>
    public static string? Normalize(string type, JsonElement? content, Validator v)
    {
        if (content is not { ValueKind: JsonValueKind.Object } c)
        {
            v.Add("content", "'content' is required and must be a JSON object.");
            return null;
        }

        if (Encoding.UTF8.GetByteCount(c.GetRawText()) > MaxBytes)
        {
            v.Add("content", $"'content' must be at most {MaxBytes} bytes.");
            return null;
        }

        if (!TextDecodes(c))
        {
            v.Add("content", "'content' holds a string or field name that is not valid Unicode (a lone surrogate escape such as \\ud800).");
            return null;
        }

        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            switch (type)
            {
                case AnnotationTypes.Highlight: Highlight(c, w, v); break;
                case AnnotationTypes.Note: Note(c, w, v); break;
                case AnnotationTypes.Drawing: Drawing(c, w, v); break;
                default: return null; // the type itself is reported by the caller
            }
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Highlight(JsonElement c, Utf8JsonWriter w, Validator v)
    {
        OnlyKnown(c, "content", v, "rects", "color", "text");
        if (!c.TryGetProperty("rects", out var rects) || rects.ValueKind != JsonValueKind.Array)
            v.Add("content.rects", "'rects' is required: an array of {x, y, width, height}.");
        else if (rects.GetArrayLength() is < 1 or > MaxRects)
            v.Add("content.rects", $"'rects' must hold 1 to {MaxRects} rectangles.");
        else
        {
            w.WriteStartArray("rects");
            var i = 0;
            foreach (var r in rects.EnumerateArray())
            {
                var at = $"content.rects[{i++}]";
                if (r.ValueKind != JsonValueKind.Object) { v.Add(at, "Each rect must be an object {x, y, width, height}."); continue; }
                OnlyKnown(r, at, v, "x", "y", "width", "height");
                var x = Unit(r, "x", at, v);
                var y = Unit(r, "y", at, v);
                var width = Unit(r, "width", at, v, positive: true);
                var height = Unit(r, "height", at, v, positive: true);
                if (x + width > 1 + Epsilon || y + height > 1 + Epsilon) v.Add(at, "The rectangle must lie inside the page (x + width ≤ 1, y + height ≤ 1).");
                w.WriteStartObject();
                w.WriteNumber("x", x); w.WriteNumber("y", y); w.WriteNumber("width", width); w.WriteNumber("height", height);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }

        w.WriteString("color", Color(c, "color", "content", v, required: true));
        if (Text(c, "text", "content", v, required: false) is { } text) w.WriteString("text", text);
    }

    private static void Note(JsonElement c, Utf8JsonWriter w, Validator v)
    {
        OnlyKnown(c, "content", v, "x", "y", "text", "color");
        w.WriteNumber("x", Unit(c, "x", "content", v));
        w.WriteNumber("y", Unit(c, "y", "content", v));
        w.WriteString("text", Text(c, "text", "content", v, required: true));
        if (c.TryGetProperty("color", out _)) w.WriteString("color", Color(c, "color", "content", v, required: false));
    }

    private static void Drawing(JsonElement c, Utf8JsonWriter w, Validator v)
    {
        OnlyKnown(c, "content", v, "strokes");
        if (!c.TryGetProperty("strokes", out var strokes) || strokes.ValueKind != JsonValueKind.Array)
        {
            v.Add("content.strokes", "'strokes' is required: an array of {points, color, width}.");
            return;
        }
        if (strokes.GetArrayLength() is < 1 or > MaxStrokes)
        {
            v.Add("content.strokes", $"'strokes' must hold 1 to {MaxStrokes} strokes.");
            return;
        }

        var totalPoints = strokes.EnumerateArray().Sum(st =>
            st.ValueKind == JsonValueKind.Object && st.TryGetProperty("points", out var pts) && pts.ValueKind == JsonValueKind.Array ? pts.GetArrayLength() : 0);
        if (totalPoints > MaxPoints)
        {
            v.Add("content.strokes", $"A drawing may hold at most {MaxPoints} points in all.");
            return;
        }

        var i = 0;
        w.WriteStartArray("strokes");
        foreach (var s in strokes.EnumerateArray())
        {
            var at = $"content.strokes[{i++}]";
            if (s.ValueKind != JsonValueKind.Object) { v.Add(at, "Each stroke must be an object {points, color, width}."); continue; }
            OnlyKnown(s, at, v, "points", "color", "width");
            w.WriteStartObject();
            w.WriteStartArray("points");
            if (!s.TryGetProperty("points", out var points) || points.ValueKind != JsonValueKind.Array || points.GetArrayLength() < 1)
                v.Add($"{at}.points", "'points' is required: a non-empty array of [x, y].");
            else
            {
                var j = 0;
                foreach (var p in points.EnumerateArray())
                {
                    var pat = $"{at}.points[{j++}]";
                    if (p.ValueKind != JsonValueKind.Array || p.GetArrayLength() != 2 || !Num(p[0], out var x) || !Num(p[1], out var y))
                    {
                        v.Add(pat, "Each point must be [x, y] with numbers.");
                        continue;
                    }

                    if (x is < 0 or > 1 || y is < 0 or > 1) v.Add(pat, "Point coordinates must be between 0 and 1.");
                    w.WriteStartArray(); w.WriteNumberValue(x); w.WriteNumberValue(y); w.WriteEndArray();
                }
            }
            w.WriteEndArray();
            w.WriteString("color", Color(s, "color", at, v, required: true));
            if (!s.TryGetProperty("width", out var width) || !Num(width, out var wd))
                v.Add($"{at}.width", "'width' is required: a number in (0, 1], relative to the page width.");
            else if (wd <= 0 || wd > 1)
                v.Add($"{at}.width", "'width' must be in (0, 1], relative to the page width.");
            else w.WriteNumber("width", wd);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>
    /// Whether every string and property name decodes: the parser accepts an escaped lone surrogate and only reading the
    /// value throws, which would otherwise surface as a 500 from the first validator that reads it.
    /// </summary>
    private static bool TextDecodes(JsonElement e)
    {
        try
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String:
                    _ = e.GetString();
                    return true;
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                        if (p.Name is null || !TextDecodes(p.Value)) return false;
                    return true;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray())
                        if (!TextDecodes(item)) return false;
                    return true;
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void OnlyKnown(JsonElement o, string at, Validator v, params string[] known)
    {
        foreach (var p in o.EnumerateObject())
            if (!known.Contains(p.Name, StringComparer.Ordinal))
                v.Add($"{at}.{p.Name}", $"Unknown field '{p.Name}' (allowed: {string.Join(", ", known)}).");
    }

    private static double Unit(JsonElement o, string name, string at, Validator v, bool positive = false)
    {
        if (!o.TryGetProperty(name, out var e) || !Num(e, out var d))
        {
            v.Add($"{at}.{name}", $"'{name}' is required: a number between 0 and 1.");
            return 0;
        }
        if (d < 0 || d > 1 || (positive && d <= 0))
            v.Add($"{at}.{name}", positive ? $"'{name}' must be greater than 0 and at most 1." : $"'{name}' must be between 0 and 1.");
        return d;
    }

    private static bool Num(JsonElement e, out double d)
    {
        d = 0;
        return e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out d) && double.IsFinite(d);
    }

    private static string Color(JsonElement o, string name, string at, Validator v, bool required)
    {
        if (!o.TryGetProperty(name, out var e))
        {
            if (required) v.Add($"{at}.{name}", $"'{name}' is required: a colour as #rrggbb.");
            return "";
        }
        if (e.ValueKind != JsonValueKind.String || !HexColor().IsMatch(e.GetString()!))
        {
            v.Add($"{at}.{name}", $"'{name}' must be a colour as #rrggbb.");
            return "";
        }
        return e.GetString()!.ToLowerInvariant();
    }

    private static string? Text(JsonElement o, string name, string at, Validator v, bool required)
    {
        if (!o.TryGetProperty(name, out var e) || e.ValueKind == JsonValueKind.Null)
        {
            if (required) v.Add($"{at}.{name}", $"'{name}' is required.");
            return required ? "" : null;
        }
        if (e.ValueKind != JsonValueKind.String) { v.Add($"{at}.{name}", $"'{name}' must be a string."); return ""; }
        var s = e.GetString()!;
        if (required && string.IsNullOrWhiteSpace(s)) v.Add($"{at}.{name}", $"'{name}' must not be empty.");
        if (s.Length > MaxText) v.Add($"{at}.{name}", $"'{name}' must be at most {MaxText} characters.");
        // JsonElement bypasses NoNulStringConverter; PostgreSQL cannot store U+0000 (a 500 otherwise).
        if (s.Contains('\0')) v.Add($"{at}.{name}", $"'{name}' must not contain NUL characters.");
        return s;
    }

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex HexColor();
}
