using Microsoft.Extensions.Options;

namespace TeacherPlatform.Ai.Connectors;

/// <summary>Rejects a configuration naming a provider without what that provider needs.</summary>
internal sealed class ChatConnectorOptionsValidator : IValidateOptions<ChatConnectorOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatConnectorOptions options)
    {
        var failures = new List<string>();
        const string section = ChatConnectorOptions.SectionName;
        if (options.MaxTokens < 1) failures.Add($"{section}:MaxTokens must be positive.");
        if (options.Temperature is < 0 or > 2) failures.Add($"{section}:Temperature must be within 0..2.");
        switch (options.Provider)
        {
            case LlmProvider.WorkersAi:
                var wai = options.WorkersAi;
                Require(wai.AccountId, $"{section}:WorkersAi:AccountId");
                Require(wai.ApiToken, $"{section}:WorkersAi:ApiToken");
                Require(wai.Model, $"{section}:WorkersAi:Model");
                RequireUrl(wai.BaseUrl, $"{section}:WorkersAi:BaseUrl");
                RequireTimeouts(wai.Timeouts, $"{section}:WorkersAi");
                break;
            case LlmProvider.OpenAi:
                var oai = options.OpenAi;
                RequireUrl(oai.Endpoint, $"{section}:OpenAi:Endpoint");
                Require(oai.Model, $"{section}:OpenAi:Model");
                if (oai.MaxTokensParameter is not (OpenAiChatOptions.MaxTokensField or OpenAiChatOptions.MaxCompletionTokensField))
                    failures.Add($"{section}:OpenAi:MaxTokensParameter must be {OpenAiChatOptions.MaxTokensField} or {OpenAiChatOptions.MaxCompletionTokensField}.");
                RequireTimeouts(oai.Timeouts, $"{section}:OpenAi");
                break;
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Require(string? value, string key)
        {
            if (string.IsNullOrWhiteSpace(value)) failures.Add($"{key} is required when {section}:Provider is {options.Provider}.");
        }

        void RequireUrl(string? value, string key)
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                failures.Add($"{key} must be an absolute http(s) URL when {section}:Provider is {options.Provider}.");
        }

        void RequireTimeouts(LlmTimeouts timeouts, string prefix)
        {
            if (timeouts.Request <= TimeSpan.Zero) failures.Add($"{prefix}:RequestTimeout must be positive.");
            if (timeouts.FirstToken <= TimeSpan.Zero || timeouts.FirstToken > timeouts.Request)
                failures.Add($"{prefix}:FirstTokenTimeout must be positive and no longer than RequestTimeout.");
        }
    }
}
