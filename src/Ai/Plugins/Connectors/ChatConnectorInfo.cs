namespace TeacherPlatform.Ai.Connectors;

/// <summary>
/// What answers chat requests, for cache keys (provider and model change the answer) and for the
/// orchestrator's rules (an extractive answer is never more than a quotation).
/// </summary>
public sealed record ChatConnectorInfo(string ProviderName, string ModelId, bool IsExtractive)
{
    public static ChatConnectorInfo From(ChatConnectorOptions options) => options.Provider switch
    {
        LlmProvider.Extractive => new("extractive", ExtractiveChatClient.ModelId, IsExtractive: true),
        LlmProvider.WorkersAi => new("workersai", options.WorkersAi.Model, IsExtractive: false),
        LlmProvider.OpenAi => new("openai", options.OpenAi.Model ?? "", IsExtractive: false),
        _ => throw new InvalidOperationException($"Unknown {ChatConnectorOptions.SectionName}:Provider '{options.Provider}'."),
    };
}
