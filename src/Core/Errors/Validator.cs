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
