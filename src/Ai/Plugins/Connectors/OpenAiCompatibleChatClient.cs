using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OpenAI.Chat;
using ChatFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;
using TextContent = Microsoft.Extensions.AI.TextContent;

namespace TeacherPlatform.Ai.Connectors;

/// <summary>
/// An OpenAI-compatible chat completions server (OpenAI, vLLM, Ollama, llama.cpp) through Semantic Kernel's OpenAI
/// connector, exposed as an <see cref="IChatClient"/> with the same deadlines, exception types and update shape
/// as <see cref="WorkersAiChatClient"/>. SK keeps the OpenAI SDK's own retries off when it is handed an
/// <see cref="HttpClient"/>, so retries come only from that client's resilience handler.
/// </summary>
public sealed class OpenAiCompatibleChatClient : IChatClient
{
    internal const string Service = "OpenAI-compatible endpoint";

    private readonly OpenAiChatOptions _options;
    private readonly LlmGenerationDefaults _defaults;
    private readonly TimeProvider _time;
    private readonly ChatClientMetadata _metadata;

    public OpenAiCompatibleChatClient(HttpClient http, OpenAiChatOptions options, LlmGenerationDefaults defaults, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Model);
        var endpoint = new Uri(options.Endpoint);
        _options = options;
        _defaults = defaults;
        _time = time ?? TimeProvider.System;
        // Local servers take no key, but the OpenAI SDK insists on one; they ignore the header.
        CompletionService = new OpenAIChatCompletionService(
            options.Model, endpoint, apiKey: options.ApiKey is { Length: > 0 } key ? key : "unused", httpClient: http);
        _metadata = new ChatClientMetadata("openai", endpoint, options.Model);
    }

    /// <summary>The underlying SK connector; this class adds the deadlines and exception mapping.</summary>
    private OpenAIChatCompletionService CompletionService { get; }

    public Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        LlmStreaming.GuardAsync(Service, _options.Timeouts, _time, token => RespondAsync(messages, options, token), cancellationToken);

    private async Task<ChatResponse> RespondAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken token)
    {
        var result = await CompletionService.GetChatMessageContentAsync(ToHistory(messages), SettingsFor(options), kernel: null, token).ConfigureAwait(false);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, result.Content ?? ""))
        {
            ResponseId = Metadata(result.Metadata, "Id") as string,
            ModelId = result.ModelId ?? _options.Model,
            CreatedAt = Metadata(result.Metadata, "CreatedAt") as DateTimeOffset? ?? _time.GetUtcNow(),
            FinishReason = MapFinishReason(Metadata(result.Metadata, "FinishReason")?.ToString()) ?? ChatFinishReason.Stop,
            Usage = ToUsage(Metadata(result.Metadata, "Usage") as ChatTokenUsage),
        };
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        LlmStreaming.GuardAsync(Service, _options.Timeouts, _time, token => StreamAsync(messages, options, token), cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType.IsInstanceOfType(CompletionService) ? CompletionService
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
        // The HttpClient belongs to IHttpClientFactory (or the caller).
    }

    /// <summary>Maps OpenAI finish reasons, both wire (<c>tool_calls</c>) and SDK enum (<c>ToolCalls</c>) spellings.</summary>
    internal static ChatFinishReason? MapFinishReason(string? reason) =>
        reason?.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant() switch
        {
            null or "" => null,
            "stop" or "eos" or "endturn" => ChatFinishReason.Stop,
            "length" or "maxtokens" => ChatFinishReason.Length,
            "toolcalls" or "functioncall" => ChatFinishReason.ToolCalls,
            "contentfilter" => ChatFinishReason.ContentFilter,
            _ => new ChatFinishReason(reason),
        };

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = CompletionService.GetStreamingChatMessageContentsAsync(
            ToHistory(messages), SettingsFor(options), kernel: null, cancellationToken);
        await foreach (var chunk in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var contents = new List<AIContent>(2);
            if (chunk.Content is { Length: > 0 } text) contents.Add(new TextContent(text));
            if (ToUsage(Metadata(chunk.Metadata, "Usage") as ChatTokenUsage) is { } usage) contents.Add(new UsageContent(usage));
            var finish = MapFinishReason(Metadata(chunk.Metadata, "FinishReason")?.ToString());
            if (contents.Count == 0 && finish is null) continue;

            yield return new ChatResponseUpdate(ChatRole.Assistant, contents)
            {
                ResponseId = Metadata(chunk.Metadata, "CompletionId") as string ?? Metadata(chunk.Metadata, "Id") as string,
                MessageId = Metadata(chunk.Metadata, "CompletionId") as string ?? Metadata(chunk.Metadata, "Id") as string,
                ModelId = chunk.ModelId ?? _options.Model,
                CreatedAt = Metadata(chunk.Metadata, "CreatedAt") as DateTimeOffset? ?? _time.GetUtcNow(),
                FinishReason = finish,
            };
        }
    }

    private OpenAIPromptExecutionSettings SettingsFor(ChatOptions? options)
    {
        var maxTokens = options?.MaxOutputTokens ?? _defaults.MaxTokens;
        var settings = new OpenAIPromptExecutionSettings
        {
            Temperature = options?.Temperature ?? _defaults.Temperature,
            TopP = options?.TopP,
            StopSequences = options?.StopSequences,
        };
        // The OpenAI SDK always names the limit max_completion_tokens, which several local servers ignore.
        if (_options.MaxTokensParameter == OpenAiChatOptions.MaxCompletionTokensField) settings.MaxTokens = maxTokens;
        else settings.ExtraBody = new Dictionary<string, object?> { [OpenAiChatOptions.MaxTokensField] = maxTokens };
        return settings;
    }

    private static ChatHistory ToHistory(IEnumerable<ChatMessage> messages)
    {
        var history = new ChatHistory();
        foreach (var message in messages)
            history.AddMessage(new AuthorRole(message.Role.Value), message.Text);
        return history;
    }

    private static object? Metadata(IReadOnlyDictionary<string, object?>? metadata, string key) =>
        metadata is not null && metadata.TryGetValue(key, out var value) ? value : null;

    private static UsageDetails? ToUsage(ChatTokenUsage? usage) => usage is null
        ? null
        : new UsageDetails
        {
            InputTokenCount = usage.InputTokenCount,
            OutputTokenCount = usage.OutputTokenCount,
            TotalTokenCount = usage.TotalTokenCount,
        };
}
