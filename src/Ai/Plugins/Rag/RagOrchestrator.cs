using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using TeacherPlatform.Ai.Connectors;
using TeacherPlatform.Ai.Plugins;
using TeacherPlatform.Ai.Retrieval;
using TeacherPlatform.Core.Telemetry;

namespace TeacherPlatform.Ai.Rag;

/// <summary>
/// retrieve → cite → score → synthesise, composed from the Semantic Kernel plugins. Sources are emitted before the
/// language model starts; when nothing relevant was found the model is not called at all (the not-covered answer, no
/// sources), while a LOW answer with relevant passages still cites them after saying the evidence is weak. Whole answers are cached (third layer)
/// under a key covering the standalone question, the exact set of visible documents and their versions, the prompt
/// version, the model and the retrieval parameters.
/// </summary>
public sealed class RagOrchestrator(
    Kernel kernelTemplate, SearchCache search, IChatClient chat, ChatConnectorInfo connector, PromptLibrary prompts,
    QueryRewriter rewriter, HybridCache cache, IOptions<RagOptions> options, AppTelemetry telemetry, TimeProvider clock)
{
    private static readonly KeyValuePair<string, object?> AnswerLayer = new("layer", "answer");

    public async IAsyncEnumerable<RagEvent> StreamAsync(RagRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        using var activity = AppTelemetry.Source.StartActivity("rag.query");
        var o = options.Value;
        var standalone = await rewriter.RewriteAsync(request.Question, request.History, ct);
        var scopeVersion = await search.ScopeVersionAsync(request.ViewerId, ct);
        var historyText = HistoryText(request.History);
        var key = AnswerKey(request, standalone, scopeVersion, historyText);

        var cached = await cache.GetOrCreateAsync<RagAnswer?>(key, _ => ValueTask.FromResult<RagAnswer?>(null),
            new HybridCacheEntryOptions { Flags = HybridCacheEntryFlags.DisableLocalCacheWrite | HybridCacheEntryFlags.DisableDistributedCacheWrite },
            cancellationToken: ct);
        if (cached is not null)
        {
            telemetry.CacheHits.Add(1, AnswerLayer);
            activity?.SetTag("rag.cache", "hit");
            yield return new SourcesEvent(cached.Sources, cached.Confidence);
            yield return new TokenEvent(cached.Content);
            telemetry.RagQueryDuration.Record(clock.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("cache", "hit"));
            yield return new DoneEvent(cached with { FromCache = true, StandaloneQuery = standalone });
            yield break;
        }
        telemetry.CacheMisses.Add(1, AnswerLayer);

        // Retrieve through the plugin, against the collection bound to this viewer.
        var kernel = kernelTemplate.Clone();
        kernel.Data[HybridRetrievalPlugin.ScopeKey] = new RetrievalScope(new SearchScope(request.ViewerId, request.DocumentIds), scopeVersion);
        var chunks = await kernel.InvokeAsync<IReadOnlyList<RetrievedChunk>>(RagKernel.Retrieval, "search_knowledge_base",
            new KernelArguments { ["query"] = standalone, ["top_k"] = request.TopK }, ct) ?? [];
        var citations = (await kernel.InvokeAsync<CitationSet>(RagKernel.Citations, "build_citations", new KernelArguments { ["chunks"] = chunks }, ct))!;
        var assessment = (await kernel.InvokeAsync<ConfidenceAssessment>(RagKernel.Confidence, "score_confidence", new KernelArguments { ["question"] = standalone, ["chunks"] = citations.Chunks }, ct))!;
        activity?.SetTag("rag.confidence", assessment.Level.ToString());

        if (!assessment.HasEvidence)
        {
            // Nothing relevant was found: no model call, no citations.
            yield return new SourcesEvent([], Confidence.LOW);
            yield return new TokenEvent(prompts.NotCovered);
            var low = new RagAnswer(prompts.NotCovered, [], Confidence.LOW, null, false, standalone, assessment);
            await StoreAsync(key, low, ct);
            telemetry.RagQueryDuration.Record(clock.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("cache", "miss"));
            yield return new DoneEvent(low);
            yield break;
        }

        yield return new SourcesEvent(citations.Sources, assessment.Level);

        // LOW with relevant passages: the answer still quotes and cites them, and says first that the evidence is weak.
        var weak = assessment.Level == Confidence.LOW;
        var content = new StringBuilder();
        if (weak)
        {
            content.Append(prompts.WeakEvidence).Append("\n\n");
            yield return new TokenEvent(content.ToString());
        }

        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, prompts.System),
            new(ChatRole.User, PromptLibrary.Fill(prompts.Answer, new Dictionary<string, string>
            {
                ["sources"] = citations.Context,
                ["history"] = historyText.Length == 0 ? "" : PromptLibrary.Fill(prompts.History, new Dictionary<string, string> { ["turns"] = historyText }),
                ["question"] = request.Question,
            }) + (weak ? "\n\n" + prompts.WeakEvidence : "")),
        };
        var chatOptions = new ChatOptions
        {
            AdditionalProperties = new AdditionalPropertiesDictionary
            {
                [ExtractiveChatOptions.SourcesKey] = citations.Chunks.Select((c, i) => new ExtractiveSource(i + 1, c.Title, c.Text)).ToList(),
                [ExtractiveChatOptions.QuestionKey] = standalone,
            },
        };

        var filter = new CitationStreamFilter(citations.Sources.Count);
        Usage? usage = null;
        var llmStarted = clock.GetTimestamp();
        var first = true;
        await foreach (var update in chat.GetStreamingResponseAsync(messages, chatOptions, ct))
        {
            foreach (var u in update.Contents.OfType<UsageContent>())
            {
                var d = u.Details;
                usage = new Usage((int)(d.InputTokenCount ?? 0), (int)(d.OutputTokenCount ?? 0), (int)(d.TotalTokenCount ?? (d.InputTokenCount ?? 0) + (d.OutputTokenCount ?? 0)));
            }
            var text = update.Text;
            if (string.IsNullOrEmpty(text)) continue;
            if (first)
            {
                first = false;
                telemetry.LlmTimeToFirstToken.Record(clock.GetElapsedTime(llmStarted).TotalSeconds, new KeyValuePair<string, object?>("provider", connector.ProviderName));
            }
            var clean = filter.Push(text);
            if (clean.Length == 0) continue;
            content.Append(clean);
            yield return new TokenEvent(clean);
        }
        var tail = filter.Flush();
        if (tail.Length > 0) { content.Append(tail); yield return new TokenEvent(tail); }

        var answer = new RagAnswer(content.ToString().Trim(), citations.Sources, assessment.Level, usage, false, standalone, assessment);
        await StoreAsync(key, answer, ct);
        telemetry.RagQueryDuration.Record(clock.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("cache", "miss"));
        yield return new DoneEvent(answer);
    }

    /// <summary>The JSON path: the same pipeline, consumed to the end.</summary>
    public async Task<RagAnswer> AnswerAsync(RagRequest request, CancellationToken ct)
    {
        RagAnswer? answer = null;
        await foreach (var e in StreamAsync(request, ct))
            if (e is DoneEvent done) answer = done.Answer;
        return answer ?? throw new InvalidOperationException("The RAG pipeline ended without an answer.");
    }

    private ValueTask StoreAsync(string key, RagAnswer answer, CancellationToken ct) =>
        cache.SetAsync(key, answer, new HybridCacheEntryOptions { Expiration = options.Value.AnswerCacheDuration, LocalCacheExpiration = options.Value.AnswerCacheDuration },
            cancellationToken: ct);

    private string AnswerKey(RagRequest request, string standalone, string scopeVersion, string historyText) =>
        "answer:" + CacheKeys.Hash(
            CacheKeys.NormalizeQuery(standalone), CacheKeys.NormalizeQuery(request.Question), scopeVersion,
            request.DocumentIds is { Count: > 0 } ids ? string.Join(',', ids.Order()) : "*",
            request.TopK.ToString(CultureInfo.InvariantCulture), prompts.Version, connector.ProviderName, connector.ModelId,
            CacheKeys.Hash(historyText));

    private string HistoryText(IReadOnlyList<ChatTurn> history) =>
        string.Join("\n", history.TakeLast(options.Value.HistoryMessages).Select(t => $"{(t.Role == "user" ? "Student" : "Tutor")}: {Shorten(t.Content)}"));

    private static string Shorten(string s) => s.Length <= 600 ? s : s[..600] + "…";
}

/// <summary>The kernel every request clones: the three RAG plugins, invoked in order by <see cref="RagOrchestrator"/>.</summary>
public static class RagKernel
{
    public const string Retrieval = "HybridRetrieval", Citations = "CitationBuilder", Confidence = "ConfidenceScorer";

    public static Kernel Create(HybridRetrievalPlugin retrieval, CitationBuilderPlugin citations, ConfidenceScorerPlugin confidence)
    {
        var builder = Kernel.CreateBuilder();
        builder.Plugins.AddFromObject(retrieval, Retrieval);
        builder.Plugins.AddFromObject(citations, Citations);
        builder.Plugins.AddFromObject(confidence, Confidence);
        return builder.Build();
    }
}
