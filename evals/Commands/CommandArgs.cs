using System.Globalization;

namespace TeacherPlatform.Evals.Commands;

/// <summary>Hand-rolled `--name value` / `--flag` parser; every option seen is recorded with the results.</summary>
public sealed class CommandArgs
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.OrdinalIgnoreCase);

    public CommandArgs(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{a}'.");
            var name = a[2..];
            var eq = name.IndexOf('=');
            if (eq > 0) { _values[name[..eq]] = name[(eq + 1)..]; continue; }
            if (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal)) _values[name] = list[++i];
            else _values[name] = null;
        }
    }

    public static CommandArgs Of(params string[] args) => new(args);

    public IReadOnlyDictionary<string, string?> All => _values;
    public bool Has(string name) => _values.ContainsKey(name);
    public string? Get(string name) => _values.TryGetValue(name, out var v) ? v : null;
    public string Get(string name, string fallback) => Get(name) ?? fallback;
    public bool Flag(string name) => _values.TryGetValue(name, out var v) && (v is null || v is "true" or "1" or "yes");

    public int Int(string name, int fallback) =>
        Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) =>
        Get(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public IReadOnlyList<string> List(string name, params string[] fallback) =>
        Get(name) is { } v ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : fallback;

    public IReadOnlyList<int> Ints(string name, params int[] fallback) =>
        Get(name) is { } v ? v.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s.Trim(), CultureInfo.InvariantCulture)).ToArray() : fallback;
}
