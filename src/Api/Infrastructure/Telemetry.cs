using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using TeacherPlatform.Core.Telemetry;

namespace TeacherPlatform.Api.Infrastructure;

public static class Telemetry
{
    /// <summary>
    /// Traces and metrics via OpenTelemetry; metrics scraped at /metrics (Prometheus text). Traces and metrics are
    /// also pushed over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (the standard OTel variable).
    /// </summary>
    public static WebApplicationBuilder AddApiTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AppTelemetry>();
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "teacherplatform-api"))
            .WithMetrics(m =>
            {
                m.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation()
                 .AddMeter(AppTelemetry.Name)
                 .AddPrometheusExporter();
                if (otlp) m.AddOtlpExporter();
            })
            .WithTracing(t =>
            {
                t.AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/metrics"))
                 .AddHttpClientInstrumentation()
                 .AddSource(AppTelemetry.Name);
                if (otlp) t.AddOtlpExporter();
            });

        // Structured JSON logs; scopes carry the trace and span ids.
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (builder.Configuration["Logging:Console:FormatterName"] is null)
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            });
        }
        return builder;
    }
}
