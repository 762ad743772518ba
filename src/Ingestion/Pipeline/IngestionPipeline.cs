using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TeacherPlatform.Core.Knowledge;
using TeacherPlatform.Core.Telemetry;

namespace TeacherPlatform.Ingestion.Pipeline;

/// <summary>
/// Runs the steps named by <see cref="IngestionOptions.Steps"/> (by default extract → partition → embed → save), each
/// resolved from DI by name; stage and progress go to the document row. With a checkpoint, steps the job already
/// completed are skipped and the state they produced is restored instead.
/// </summary>
public sealed class IngestionPipeline(IServiceProvider services, KnowledgeDocumentStore documents, IOptions<IngestionOptions> options)
{
    // Names were checked against the registrations at start-up (IngestionOptionsValidator).
    private readonly IReadOnlyList<IPipelineStep> _steps =
        options.Value.PipelineSteps.Select(name => services.GetRequiredKeyedService<IPipelineStep>(name)).ToList();

    public IReadOnlyList<string> StepNames => _steps.Select(s => s.Name).ToList();

    public async Task<IngestionContext> RunAsync(KnowledgeDocument document, IPipelineCheckpoint? checkpoint, CancellationToken ct)
    {
        using var activity = AppTelemetry.Source.StartActivity("ingest");
        activity?.SetTag("document.id", document.Id);
        var context = new IngestionContext(document, new DocumentProgress(documents, document.Id));
        var completed = new List<string>(checkpoint?.CompletedSteps ?? []);
        if (completed.Count > 0 && checkpoint?.State is { } state)
        {
            context.RestoreState(state);
            activity?.SetTag("ingest.resumed_after", completed[^1]);
        }
        else completed.Clear();
        foreach (var step in _steps)
        {
            if (completed.Contains(step.Name)) continue;
            var sw = Stopwatch.StartNew();
            await step.ExecuteAsync(context, ct);
            activity?.AddEvent(new ActivityEvent($"{step.Name} done", tags: new ActivityTagsCollection { ["ms"] = sw.ElapsedMilliseconds }));
            completed.Add(step.Name);
            // After the last step nothing is left to resume: only the names are kept.
            if (checkpoint is not null) await checkpoint.SaveAsync(completed, step == _steps[^1] ? null : context.SaveState(), ct);
        }
        return context;
    }

    private sealed class DocumentProgress(KnowledgeDocumentStore documents, Guid id) : IProgressSink
    {
        public Task ReportAsync(string stage, int done, int total, CancellationToken ct) =>
            documents.UpdateProgressAsync(id, DocumentStatus.Processing, stage, done, total, ct);
    }
}
