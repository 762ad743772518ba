using System.Globalization;

namespace TeacherPlatform.Evals.Load;

/// <summary>Minimal Prometheus text-format reader: sums samples by metric name, optionally by one label.</summary>
public sealed class PrometheusText
{
    private readonly List<(string Name, string Labels, double Value)> _samples = [];

    public PrometheusText(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var brace = line.IndexOf('{');
            string name, labels, rest;
            if (brace >= 0)
            {
                var close = line.LastIndexOf('}');
                if (close < brace) continue;
                name = line[..brace];
                labels = line[(brace + 1)..close];
                rest = line[(close + 1)..].Trim();
            }
            else
            {
                var sp = line.IndexOf(' ');
                if (sp < 0) continue;
                name = line[..sp];
                labels = "";
                rest = line[(sp + 1)..].Trim();
            }
            var valueText = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            if (valueText is not null && double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                _samples.Add((name, labels, v));
        }
    }

    public bool Has(string name) => _samples.Any(s => s.Name == name);
    public double Sum(string name) => _samples.Where(s => s.Name == name).Sum(s => s.Value);

    public double? First(params string[] names)
    {
        foreach (var n in names) if (Has(n)) return Sum(n);
        return null;
    }

    public IReadOnlyDictionary<string, double> SumBy(string name, string label) =>
        _samples.Where(s => s.Name == name)
            .GroupBy(s => Label(s.Labels, label) ?? "")
            .ToDictionary(g => g.Key, g => g.Sum(s => s.Value));

    private static string? Label(string labels, string key)
    {
        foreach (var part in labels.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq > 0 && part[..eq].Trim() == key) return part[(eq + 1)..].Trim().Trim('"');
        }
        return null;
    }
}
