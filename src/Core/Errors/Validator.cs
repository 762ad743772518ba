using System.Net.Mail;
using System.Text.RegularExpressions;

namespace TeacherPlatform.Core.Errors;

/// <summary>Collects field-level errors and throws one validation problem with all of them.</summary>
public sealed partial class Validator
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public Validator Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public Validator Required(string field, string? value, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value)) return Add(field, $"'{field}' is required.");
        if (value.Length > maxLength) Add(field, $"'{field}' must be at most {maxLength} characters.");
        return this;
    }

    /// <summary>
    /// A single-line name shown to other people (title, display name, file name): required, with at least one visible
    /// character (not only spaces or invisible format characters such as U+200B), and no control characters or bidi
    /// embeddings/overrides (U+202A–U+202E), which make a name display as something else.
    /// </summary>
    public Validator Name(string field, string? value, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value)) return Required(field, value, maxLength);
        if (!value.EnumerateRunes().Any(IsVisible)) return Add(field, $"'{field}' is required.");
        if (value.Any(c => char.IsControl(c) || c is >= '\u202A' and <= '\u202E'))
            Add(field, $"'{field}' must not contain control characters or text-direction overrides.");
        return Required(field, value, maxLength);

        static bool IsVisible(System.Text.Rune r) => !System.Text.Rune.IsWhiteSpace(r) && !System.Text.Rune.IsControl(r)
            && System.Text.Rune.GetUnicodeCategory(r) is not (System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.NonSpacingMark
                or System.Globalization.UnicodeCategory.EnclosingMark or System.Globalization.UnicodeCategory.SpaceSeparator);
    }

    public Validator Optional(string field, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength) Add(field, $"'{field}' must be at most {maxLength} characters.");
        return this;
    }

    public Validator Email(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return Add(field, $"'{field}' is required.");
        if (value.Length > 254 || !MailAddress.TryCreate(value.Trim(), out var parsed) || parsed.Address != value.Trim()
            || !EmailShape().IsMatch(value.Trim()))
            Add(field, $"'{field}' is not a valid email address.");
        return this;
    }

    public Validator OneOf(string field, string? value, params string[] allowed)
    {
        if (string.IsNullOrWhiteSpace(value)) return Add(field, $"'{field}' is required (one of: {string.Join(", ", allowed)}).");
        if (!allowed.Contains(value, StringComparer.Ordinal)) Add(field, $"'{field}' must be one of: {string.Join(", ", allowed)}.");
        return this;
    }

    public Validator Range(string field, int? value, int min, int max)
    {
        if (value is { } v && (v < min || v > max)) Add(field, $"'{field}' must be between {min} and {max}.");
        return this;
    }

    public void ThrowIfInvalid()
    {
        if (!IsValid) throw AppProblem.Validation(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
    }

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailShape();
}
