using System.Text.Json.Nodes;

namespace TeacherPlatform.Tests.Chat;

public sealed record SseEvent(string Name, JsonNode Data);

public static class SseReader
{
    /// <summary>Reads Server-Sent Events until the stream ends (or <paramref name="stopAfter"/> events).</summary>
    public static async Task<List<SseEvent>> ReadAsync(Stream stream, int stopAfter = int.MaxValue, CancellationToken ct = default)
    {
        using var reader = new StreamReader(stream);
        return await ReadAsync(reader, stopAfter, ct);
    }

    /// <summary>Reads events from a reader the caller keeps, so that reading can resume where it stopped.</summary>
    public static async Task<List<SseEvent>> ReadAsync(StreamReader reader, int stopAfter = int.MaxValue, CancellationToken ct = default)
    {
        var events = new List<SseEvent>();
        string? name = null;
        var data = new List<string>();
        while (events.Count < stopAfter && await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Add(line[6..]);
            else if (line.Length == 0 && name is not null)
            {
                events.Add(new SseEvent(name, JsonNode.Parse(string.Join("\n", data))!));
                name = null;
                data.Clear();
            }
        }
        return events;
    }
}
