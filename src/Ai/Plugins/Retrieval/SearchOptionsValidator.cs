using Microsoft.Extensions.Options;

namespace TeacherPlatform.Ai.Retrieval;

/// <summary>Checks the fusion settings at start-up (ValidateOnStart): an impossible value stops the service with the reason.</summary>
internal sealed class SearchOptionsValidator : IValidateOptions<SearchOptions>
{
    public ValidateOptionsResult Validate(string? name, SearchOptions options)
    {
        const string s = SearchOptions.Section;
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Fusion))
            failures.Add($"{s}:Fusion is {options.Fusion}; it must be {string.Join(" or ", Enum.GetNames<FusionMethod>())}.");
        if (!(options.RelativeScoreKeywordWeight is >= 0 and <= 1))
            failures.Add($"{s}:RelativeScoreKeywordWeight is {options.RelativeScoreKeywordWeight}; it must be 0 to 1 (the vector list gets the rest).");
        if (!(options.RrfK >= 0)) failures.Add($"{s}:RrfK is {options.RrfK}; it must be at least 0.");
        if (!(options.VectorWeight >= 0) || !(options.KeywordWeight >= 0))
            failures.Add($"{s}:VectorWeight and {s}:KeywordWeight must be at least 0 (they are {options.VectorWeight} and {options.KeywordWeight}).");
        if (!(options.KeywordSourceWeight is >= 0 and <= 100))
            failures.Add($"{s}:KeywordSourceWeight is {options.KeywordSourceWeight}; it must be 0 to 100 (the text field weighs 1).");
        if (options.KeywordIndexCompactionMaxChunks < 0)
            failures.Add($"{s}:KeywordIndexCompactionMaxChunks is {options.KeywordIndexCompactionMaxChunks}; it must be at least 0 (0 = never).");
        if (options.CandidatesPerList < 1) failures.Add($"{s}:CandidatesPerList is {options.CandidatesPerList}; it must be positive.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
