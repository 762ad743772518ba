using System.Globalization;
using System.Security;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TeacherPlatform.Core.Projects;

namespace TeacherPlatform.Api.Features.Annotations;

/// <summary>
/// A project's annotations as a W3C Web Annotation <c>AnnotationCollection</c> (JSON-LD, one embedded page). Each target is
/// the project's PDF with a <c>FragmentSelector</c> (<c>page=N</c>, RFC 3778) refined by an <c>SvgSelector</c> holding the
/// geometry in a 0..1 viewBox; a highlight with text also gets, as an alternative selector for the same segment, the page
/// fragment refined by a <c>TextQuoteSelector</c>. Colours travel as CSS classes in the annotation's stylesheet.
/// </summary>
public static class WebAnnotationExport
{
    public const string ContentType = "application/ld+json; profile=\"http://www.w3.org/ns/anno.jsonld\"";
    private const string Context = "http://www.w3.org/ns/anno.jsonld";
    private const string PdfFragment = "http://tools.ietf.org/rfc/rfc3778";

    public static JsonObject Build(Project project, IReadOnlyList<Annotation> annotations, string baseUrl)
    {
        var collectionId = $"{baseUrl}/api/projects/{project.Id}/annotations/export";
        var source = new JsonObject
        {
            ["id"] = $"{baseUrl}/api/projects/{project.Id}/stream",
            ["type"] = "Text",
            ["format"] = "application/pdf",
            ["title"] = project.Title,
        };
        var items = new JsonArray();
        foreach (var a in annotations) items.Add(Item(a, source, baseUrl));

        return new JsonObject
        {
            ["@context"] = Context,
            ["id"] = collectionId,
            ["type"] = "AnnotationCollection",
            ["label"] = $"Annotations of {project.Title}",
            ["total"] = annotations.Count,
            ["first"] = new JsonObject
            {
                ["id"] = $"{collectionId}#page1",
                ["type"] = "AnnotationPage",
                ["startIndex"] = 0,
                ["items"] = items,
            },
        };
    }

    private static JsonObject Item(Annotation a, JsonObject source, string baseUrl)
    {
        using var doc = JsonDocument.Parse(a.Content);
        var c = doc.RootElement;
        var page = Fragment(a.PageNumber);
        var selectors = new JsonArray();
        var color = c.TryGetProperty("color", out var col) ? col.GetString() : null;
        JsonNode? body = null;
        string motivation;

        switch (a.AnnotationType)
        {
            case AnnotationTypes.Highlight:
                motivation = "highlighting";
                var rects = string.Concat(c.GetProperty("rects").EnumerateArray().Select(r =>
                    $"<rect x=\"{N(r, "x")}\" y=\"{N(r, "y")}\" width=\"{N(r, "width")}\" height=\"{N(r, "height")}\"/>"));
                selectors.Add(Refined(page, Svg(rects)));
                if (c.TryGetProperty("text", out var text) && text.GetString() is { Length: > 0 } quote)
                    selectors.Add(Refined(Fragment(a.PageNumber), new JsonObject { ["type"] = "TextQuoteSelector", ["exact"] = quote }));
                break;
            case AnnotationTypes.Note:
                motivation = "commenting";
                selectors.Add(Refined(page, Svg($"<circle cx=\"{N(c, "x")}\" cy=\"{N(c, "y")}\" r=\"0.005\"/>")));
                body = new JsonObject
                {
                    ["type"] = "TextualBody",
                    ["value"] = c.GetProperty("text").GetString(),
                    ["format"] = "text/plain",
                    ["purpose"] = "commenting",
                };
                break;
            default:
                motivation = "highlighting";
                var strokes = new StringBuilder();
                foreach (var s in c.GetProperty("strokes").EnumerateArray())
                {
                    var points = string.Join(' ', s.GetProperty("points").EnumerateArray().Select(p => $"{F(p[0].GetDouble())},{F(p[1].GetDouble())}"));
                    strokes.Append(CultureInfo.InvariantCulture,
                        $"<polyline points=\"{points}\" fill=\"none\" stroke=\"{s.GetProperty("color").GetString()}\" stroke-width=\"{F(s.GetProperty("width").GetDouble())}\"/>");
                }
                selectors.Add(Refined(page, Svg(strokes.ToString())));
                break;
        }

        var target = new JsonObject
        {
            ["type"] = "SpecificResource",
            ["source"] = source.DeepClone(),
            ["selector"] = selectors.Count == 1 ? selectors[0]!.DeepClone() : selectors,
        };
        var item = new JsonObject
        {
            ["id"] = $"{baseUrl}/api/annotations/{a.Id}",
            ["type"] = "Annotation",
            ["motivation"] = motivation,
            ["created"] = a.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["modified"] = a.UpdatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["creator"] = new JsonObject { ["id"] = $"urn:uuid:{a.AuthorId}", ["type"] = "Person", ["name"] = a.AuthorDisplayName },
        };
        if (body is not null) item["body"] = body;
        if (color is { Length: 7 })
        {
            var cls = $"tp-{color[1..]}";
            item["stylesheet"] = new JsonObject { ["type"] = "CssStylesheet", ["value"] = $".{cls} {{ color: {color}; background-color: {color}; }}" };
            target["styleClass"] = cls;
        }
        item["target"] = target;
        return item;
    }

    private static JsonObject Fragment(int pageNumber) => new()
    {
        ["type"] = "FragmentSelector",
        ["conformsTo"] = PdfFragment,
        ["value"] = $"page={pageNumber}",
    };

    private static JsonObject Refined(JsonObject fragment, JsonObject refinement)
    {
        fragment["refinedBy"] = refinement;
        return fragment;
    }

    private static JsonObject Svg(string shapes) => new()
    {
        ["type"] = "SvgSelector",
        ["value"] = $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\">{shapes}</svg>",
    };

    private static string N(JsonElement o, string name) => F(o.GetProperty(name).GetDouble());

    private static string F(double d) => SecurityElement.Escape(d.ToString("0.######", CultureInfo.InvariantCulture))!;
}
