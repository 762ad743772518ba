using System.Text.Json;
using System.Text.Json.Serialization;

namespace TeacherPlatform.Api.Infrastructure;

/// <summary>
/// Refuses U+0000 in every JSON string of a request body: PostgreSQL text cannot store it (the insert would fail
/// with a 500), and no field of this API has a use for it. The JsonException becomes a 400 problem.
/// </summary>
public sealed class NoNulStringConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a string, got {reader.TokenType}.");
        }

        var value = reader.GetString();
        return value is not null && value.Contains('\0') ? throw new JsonException("Strings may not contain NUL characters.") : value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
