namespace TeacherPlatform.Ai.Connectors;

/// <summary>A numbered source the extractive connector may quote; <see cref="Index"/> is the citation number.</summary>
public sealed record ExtractiveSource(int Index, string Title, string Text);

/// <summary>Keys of <c>ChatOptions.AdditionalProperties</c> through which the orchestrator hands over structured input.</summary>
public static class ExtractiveChatOptions
{
    /// <summary><see cref="IReadOnlyList{T}"/> of <see cref="ExtractiveSource"/>, best-ranked first.</summary>
    public const string SourcesKey = "rag.sources";

    /// <summary>The (standalone) question as a string.</summary>
    public const string QuestionKey = "rag.question";
}
