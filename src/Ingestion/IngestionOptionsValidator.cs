using Microsoft.Extensions.Options;
using TeacherPlatform.Ai.Embeddings;
using TeacherPlatform.Ingestion.Pipeline;

namespace TeacherPlatform.Ingestion;

/// <summary>
/// Checks the ingestion settings against what is really registered: chunk sizes against the embedding model's input
/// length, and every configured step name against the registered steps. Runs at start-up (ValidateOnStart), so an
/// impossible setting stops the service with the reason instead of being adjusted silently.
/// </summary>
internal sealed class IngestionOptionsValidator(IEmbeddingModel model, IEnumerable<PipelineStepName> steps) : IValidateOptions<IngestionOptions>
{
    /// <summary>The model adds [CLS] and [SEP]: a chunk must leave room for them or the model truncates it.</summary>
    internal const int SpecialTokens = 2;

    public ValidateOptionsResult Validate(string? name, IngestionOptions options)
    {
        const string s = IngestionOptions.Section;
        var failures = new List<string>();
        var max = model.MaxTokens - SpecialTokens;
        if (options.ChunkMaxTokens < 1 || options.ChunkMaxTokens > max)
            failures.Add($"{s}:ChunkMaxTokens is {options.ChunkMaxTokens}; the embedding model {model.ModelId} takes at most {model.MaxTokens} tokens, " +
                $"so chunks must be 1 to {max} tokens (room is left for its {SpecialTokens} special tokens).");
        if (options.ChunkOverlapTokens < 0 || options.ChunkOverlapTokens >= options.ChunkMaxTokens)
            failures.Add($"{s}:ChunkOverlapTokens is {options.ChunkOverlapTokens}; it must be at least 0 and less than {s}:ChunkMaxTokens ({options.ChunkMaxTokens}).");
        if (options.ChunkUnitTokens < 1 || options.ChunkUnitTokens > options.ChunkMaxTokens)
            failures.Add($"{s}:ChunkUnitTokens is {options.ChunkUnitTokens}; it must be 1 to {s}:ChunkMaxTokens ({options.ChunkMaxTokens}).");
        if (options.ChunkUnitOverlapTokens < 0 || options.ChunkUnitOverlapTokens >= options.ChunkUnitTokens)
            failures.Add($"{s}:ChunkUnitOverlapTokens is {options.ChunkUnitOverlapTokens}; it must be at least 0 and less than {s}:ChunkUnitTokens ({options.ChunkUnitTokens}).");
        if (options.EmbeddingBatchSize < 1) failures.Add($"{s}:EmbeddingBatchSize must be positive.");
        if (options.MaxAttempts < 1) failures.Add($"{s}:MaxAttempts must be positive.");
        if (options.LeaseDuration <= TimeSpan.Zero) failures.Add($"{s}:LeaseDuration must be positive.");

        var registered = steps.GroupBy(x => x.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var known = string.Join(", ", registered.Keys.Order(StringComparer.Ordinal));
        foreach (var step in options.PipelineSteps)
        {
            if (!registered.TryGetValue(step, out var count)) failures.Add($"{s}:Steps names '{step}', which is not a registered step (registered: {known}).");
            else if (count > 1) failures.Add($"{s}:Steps names '{step}', which {count} registered steps share.");
        }
        foreach (var repeated in options.PipelineSteps.GroupBy(x => x, StringComparer.Ordinal).Where(g => g.Count() > 1))
            failures.Add($"{s}:Steps lists '{repeated.Key}' {repeated.Count()} times; a job records steps by name, so each may run once.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
