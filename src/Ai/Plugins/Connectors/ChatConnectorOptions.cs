namespace TeacherPlatform.Ai.Connectors;

/// <summary>Which chat backend answers: no model at all, Cloudflare Workers AI, or an OpenAI-compatible server.</summary>
public enum LlmProvider
{
    Extractive,
    WorkersAi,
    OpenAi,
}

/// <summary>Bound from the <c>Llm</c> configuration section.</summary>
public sealed class ChatConnectorOptions
{
    public const string SectionName = "Llm";

    /// <summary><c>extractive</c> (default), <c>workersai</c> or <c>openai</c>.</summary>
    public LlmProvider Provider { get; set; } = LlmProvider.Extractive;

    /// <summary>Upper bound on generated tokens when the caller's <c>ChatOptions.MaxOutputTokens</c> is unset.</summary>
    public int MaxTokens { get; set; } = 700;

    /// <summary>Low by default: answers must stay close to the quoted sources.</summary>
    public float Temperature { get; set; } = 0.2f;

    public WorkersAiChatOptions WorkersAi { get; set; } = new();
    public OpenAiChatOptions OpenAi { get; set; } = new();

    internal LlmGenerationDefaults GenerationDefaults => new(MaxTokens, Temperature);
}

/// <summary><c>Llm:WorkersAi</c>: Cloudflare Workers AI text generation.</summary>
public sealed class WorkersAiChatOptions
{
    public const string DefaultBaseUrl = "https://api.cloudflare.com/client/v4";
    public const string DefaultModel = "@cf/meta/llama-4-scout-17b-16e-instruct";

    public string? AccountId { get; set; }
    public string? ApiToken { get; set; }
    public string Model { get; set; } = DefaultModel;
    public string BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>Whole call, retries and the full stream included.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A stream that yields no text within this time fails with <see cref="LlmTimeoutException"/>.</summary>
    public TimeSpan FirstTokenTimeout { get; set; } = TimeSpan.FromSeconds(20);

    internal LlmTimeouts Timeouts => new(RequestTimeout, FirstTokenTimeout);
}

/// <summary><c>Llm:OpenAi</c>: any server speaking the OpenAI chat completions API (OpenAI, vLLM, Ollama, llama.cpp).</summary>
public sealed class OpenAiChatOptions
{
    /// <summary>Base URL including the version segment, e.g. <c>http://127.0.0.1:8000/v1</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Optional: local servers usually need none.</summary>
    public string? ApiKey { get; set; }

    public string? Model { get; set; }

    /// <summary>
    /// Body field carrying the token limit. <c>max_tokens</c> (default) is what vLLM, Ollama, llama.cpp and OpenAI's
    /// non-reasoning models all accept; OpenAI's reasoning models need <c>max_completion_tokens</c>.
    /// </summary>
    public string MaxTokensParameter { get; set; } = MaxTokensField;

    public const string MaxTokensField = "max_tokens";
    public const string MaxCompletionTokensField = "max_completion_tokens";

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);
    public TimeSpan FirstTokenTimeout { get; set; } = TimeSpan.FromSeconds(20);

    internal LlmTimeouts Timeouts => new(RequestTimeout, FirstTokenTimeout);
}

/// <summary>Generation parameters used when the caller's <c>ChatOptions</c> leaves them unset.</summary>
public sealed record LlmGenerationDefaults(int MaxTokens, float Temperature);

/// <summary>Deadlines of one model call.</summary>
public sealed record LlmTimeouts(TimeSpan Request, TimeSpan FirstToken);
