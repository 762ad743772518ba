using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace TeacherPlatform.Evals.Datasets;

/// <summary>
/// Fixed-length word windows cut from a large plain-text file of real prose, for ANN recall at a scale the datasets
/// cannot reach (the machine's own documentation works: vim help, package docs, rendered man pages). Windows that are
/// mostly symbols or numbers (tables, code) and exact repeats are skipped; the order is shuffled with a fixed seed so
/// the held-out query windows come from everywhere in the file.
/// </summary>
public static partial class RealTextChunks
{
    public static IReadOnlyList<string> Cut(string path, int count, int words, int seed)
    {
        var chunks = new List<string>(count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var window = new List<string>(words);
        foreach (var line in File.ReadLines(path))
        {
            foreach (var word in line.Split(' ', '\t'))
            {
                if (word.Length == 0) continue;
                window.Add(word);
                if (window.Count < words) continue;
                var alphabetic = window.Count(w => AlphabeticWord().IsMatch(w));
                var text = string.Join(' ', window);
                window.Clear();
                if (alphabetic >= words * 0.7 && seen.Add(text)) chunks.Add(text);
            }
            if (chunks.Count >= count * 3) break; // enough to shuffle from
        }
        if (chunks.Count < count)
            throw new InvalidOperationException($"{path} gives only {chunks.Count} windows of {words} words; {count} were asked for.");
        var shuffled = chunks.ToArray();
        new Random(seed).Shuffle(shuffled);
        return shuffled[..count];
    }

    /// <summary>Embeddings cached next to the text file, keyed by count, window and model, so a rerun skips the hour of encoding.</summary>
    public static float[][]? ReadCache(string path, int count, int dims)
    {
        if (!File.Exists(path)) return null;
        using var r = new BinaryReader(File.OpenRead(path));
        if (r.ReadInt32() != count || r.ReadInt32() != dims) return null;
        var vectors = new float[count][];
        for (var i = 0; i < count; i++)
        {
            vectors[i] = new float[dims];
            r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(vectors[i].AsSpan()));
        }
        return vectors;
    }

    public static void WriteCache(string path, float[][] vectors)
    {
        using var w = new BinaryWriter(File.Create(path));
        w.Write(vectors.Length);
        w.Write(vectors[0].Length);
        foreach (var v in vectors) w.Write(MemoryMarshal.AsBytes(v.AsSpan()));
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z'’-]*[A-Za-z.,;:!?)]?$")]
    private static partial Regex AlphabeticWord();
}
