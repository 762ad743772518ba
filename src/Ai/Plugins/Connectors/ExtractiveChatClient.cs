using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace TeacherPlatform.Ai.Connectors;

/// <summary>
/// The connector used when no language model is configured: answers by quoting the sentences of the numbered
/// sources that best match the question (see <see cref="ExtractiveAnswerBuilder"/>), each cited, in the same
/// response and streaming shape as the model-backed clients. The orchestrator passes the sources and question
/// in <c>ChatOptions.AdditionalProperties</c> (<see cref="ExtractiveChatOptions"/>); without a question it falls
/// back to the last user message.
/// </summary>
public sealed partial class ExtractiveChatClient : IChatClient
{
    /// <summary>Versioned so that cached answers change when the algorithm does.</summary>
    public const string ModelId = "extractive-v1";

    private readonly ExtractiveAnswerWording _wording;
    private readonly TimeProvider _time;
    private readonly ChatClientMetadata _metadata = new("extractive", defaultModelId: ModelId);

    public ExtractiveChatClient(ExtractiveAnswerWording? wording = null, TimeProvider? time = null)
    {
        _wording = wording ?? new ExtractiveAnswerWording();
        _time = time ?? TimeProvider.System;
    }

    public Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var text = Answer(messages, options);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ResponseId = NewId(),
            ModelId = ModelId,
            CreatedAt = _time.GetUtcNow(),
            FinishReason = ChatFinishReason.Stop,
            Usage = UsageFor(text),
        });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var text = Answer(messages, options);
        var id = NewId();
        foreach (Match word in WordWithSpace().Matches(text))
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Word by word like a model's tokens, but without yielding the thread between them: the answer is already
            // built, and a hop per word (about a hundred per answer, each queued behind every other request's) turned
            // a burst of concurrent answers into processor sharing, all of them finishing last (chat p95 ~ 0.5 s).
            yield return Update(id, [new TextContent(word.Value)]);
        }
        yield return Update(id, [new UsageContent(UsageFor(text))]);
        var last = Update(id, []);
        last.FinishReason = ChatFinishReason.Stop;
        yield return last;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    private string Answer(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var properties = options?.AdditionalProperties;
        var sources = properties?.TryGetValue(ExtractiveChatOptions.SourcesKey, out var s) == true && s is IReadOnlyList<ExtractiveSource> list
            ? list
            : [];
        var question = properties?.TryGetValue(ExtractiveChatOptions.QuestionKey, out var q) == true && q is string text
            ? text
            : messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        return ExtractiveAnswerBuilder.Build(question, sources, _wording);
    }

    private ChatResponseUpdate Update(string id, IList<AIContent> contents) => new(ChatRole.Assistant, contents)
    {
        ResponseId = id,
        MessageId = id,
        ModelId = ModelId,
        CreatedAt = _time.GetUtcNow(),
    };

    /// <summary>No model, so no tokenizer: words stand in for completion tokens.</summary>
    private static UsageDetails UsageFor(string text)
    {
        var words = WordWithSpace().Count(text);
        return new UsageDetails { InputTokenCount = 0, OutputTokenCount = words, TotalTokenCount = words };
    }

    private static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>A word with the whitespace after it: concatenating the chunks restores the text exactly.</summary>
    [GeneratedRegex(@"\s*\S+\s*")]
    private static partial Regex WordWithSpace();
}
