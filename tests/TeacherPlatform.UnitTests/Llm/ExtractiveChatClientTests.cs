using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel.ChatCompletion;
using TeacherPlatform.Ai.Connectors;
using static TeacherPlatform.UnitTests.Llm.LlmTestSupport;

namespace TeacherPlatform.UnitTests.Llm;

public sealed partial class ExtractiveChatClientTests
{
    private const string Prefix = "Extractive answer (no language model configured), quoted from the sources:";

    private static readonly ExtractiveSource[] PedagogySources =
    [
        new(1, "Scale practice", "Scales build finger independence and evenness. Practise scales slowly with a metronome, " +
            "raising the tempo only when every note is even. Composers of the classical era wrote many concertos."),
        new(2, "Pedalling", "The sustain pedal connects harmonies that the hands cannot hold. Change the pedal just after the new chord sounds."),
        new(3, "Posture", "Sit at a height where your forearms are level with the keys. Keep your shoulders relaxed while you play."),
    ];

    private static ChatOptions Rag(string question, IReadOnlyList<ExtractiveSource> sources) => new()
    {
        AdditionalProperties = new AdditionalPropertiesDictionary
        {
            [ExtractiveChatOptions.QuestionKey] = question,
            [ExtractiveChatOptions.SourcesKey] = sources,
        },
    };

    private static int[] Citations(string text) =>
        Citation().Matches(text).Select(m => int.Parse(m.Groups[1].Value)).ToArray();

    [GeneratedRegex(@"\[(\d+)\]")]
    private static partial Regex Citation();

    [Fact]
    public async Task Quotes_the_most_relevant_sentence_and_cites_its_source()
    {
        using var client = new ExtractiveChatClient();

        var response = await client.GetResponseAsync(
            [new ChatMessage(ChatRole.User, "ignored")], Rag("How should I practise scales with a metronome?", PedagogySources));

        var text = response.Text;
        Assert.StartsWith(Prefix, text);
        Assert.Contains("Practise scales slowly with a metronome, raising the tempo only when every note is even. [1]", text);
        Assert.DoesNotContain("pedal", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("concertos", text);
        Assert.Equal([1], Citations(text).Distinct());
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(ExtractiveChatClient.ModelId, response.ModelId);
    }

    [Fact]
    public async Task Groups_sentences_by_source_in_rank_order_and_skips_near_duplicates()
    {
        // Overlapping chunks repeat text: the repeated sentence must be quoted once.
        var sources = new ExtractiveSource[]
        {
            new(1, "Pedalling basics", "Change the pedal just after the new chord sounds, so the harmonies do not blur."),
            new(2, "Pedalling basics (cont.)", "Change the pedal just after the new chord sounds, so the harmonies do not blur. " +
                "Listen for blurred harmonies when you change the pedal late."),
            new(3, "Posture", "Keep your shoulders relaxed."),
        };
        using var client = new ExtractiveChatClient();

        var text = (await client.GetResponseAsync([], Rag("When do I change the pedal between harmonies?", sources))).Text;

        Assert.Single(Regex.Matches(text, "Change the pedal just after"));
        Assert.Equal([1, 2], Citations(text));
        Assert.True(text.IndexOf("[1]", StringComparison.Ordinal) < text.IndexOf("[2]", StringComparison.Ordinal));
        Assert.Contains("Listen for blurred harmonies when you change the pedal late. [2]", text);
    }

    [Fact]
    public async Task Never_cites_an_index_that_was_not_provided()
    {
        var sources = new ExtractiveSource[]
        {
            new(4, "Fingering", "Use the thumb under the hand to pass smoothly in scales [9]. Fingering numbers run from 1 (thumb) to 5."),
            new(7, "Scales", "Scales in contrary motion help both hands learn the same fingering [12]."),
        };
        using var client = new ExtractiveChatClient();

        var text = (await client.GetResponseAsync([], Rag("Which fingering should scales use with the thumb?", sources))).Text;

        Assert.NotEmpty(Citations(text));
        Assert.All(Citations(text), n => Assert.Contains(n, new[] { 4, 7 }));
        Assert.DoesNotContain("[9]", text);
        Assert.DoesNotContain("[12]", text);
    }

    [Fact]
    public async Task Without_sources_says_there_is_nothing_to_quote()
    {
        using var client = new ExtractiveChatClient();

        var response = await client.GetResponseAsync([], Rag("How do I play trills?", []));
        var streamed = await client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "How do I play trills?")]).ToListAsync();

        Assert.Equal(new ExtractiveAnswerWording().NoSources, response.Text);
        Assert.Empty(Citations(response.Text));
        Assert.Equal(response.Text, string.Concat(Texts(streamed)));
    }

    [Fact]
    public async Task Falls_back_to_the_last_user_message_when_no_question_is_given()
    {
        using var client = new ExtractiveChatClient();
        var options = new ChatOptions { AdditionalProperties = new() { [ExtractiveChatOptions.SourcesKey] = PedagogySources } };

        var text = (await client.GetResponseAsync(
            [new ChatMessage(ChatRole.System, "tutor"), new ChatMessage(ChatRole.User, "How high should I sit, and where should my forearms be?")],
            options)).Text;

        Assert.Contains("Sit at a height where your forearms are level with the keys. [3]", text);
    }

    [Fact]
    public async Task Streams_word_by_word_in_the_llm_update_shape_with_word_count_usage()
    {
        using var client = new ExtractiveChatClient();
        var options = Rag("How should I practise scales with a metronome?", PedagogySources);
        var whole = (await client.GetResponseAsync([], options)).Text;

        var updates = await client.GetStreamingResponseAsync([], options).ToListAsync();

        var chunks = Texts(updates);
        Assert.True(chunks.Length > 10);
        Assert.All(chunks, c => Assert.Single(c.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal(whole, string.Concat(chunks));
        Assert.All(updates, u => Assert.Equal(ChatRole.Assistant, u.Role));
        var usage = Usage(updates)!;
        Assert.Equal(0, usage.InputTokenCount);
        Assert.Equal(chunks.Length, usage.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
    }

    [Fact]
    public async Task Is_the_default_connector()
    {
        await using var services = Services(new Dictionary<string, string?>());

        var client = services.GetRequiredService<IChatClient>();
        var reply = await client.GetResponseAsync("Anything?");

        Assert.NotNull(client.GetService<ExtractiveChatClient>());
        Assert.Null(services.GetService<IChatCompletionService>());
        Assert.Equal(new ChatConnectorInfo("extractive", ExtractiveChatClient.ModelId, IsExtractive: true), services.GetRequiredService<ChatConnectorInfo>());
        Assert.Equal(new ExtractiveAnswerWording().NoSources, reply.Text);
    }

    [Fact]
    public async Task A_provider_without_its_settings_fails_with_the_missing_keys()
    {
        await using var services = Services(new Dictionary<string, string?> { ["Llm:Provider"] = "workersai" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IChatClient>());

        Assert.Contains("Llm:WorkersAi:AccountId", error.Message);
        Assert.Contains("Llm:WorkersAi:ApiToken", error.Message);
    }
}
