using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace TeacherPlatform.Edge.Infrastructure;

public static class EdgeTelemetry
{
    /// <summary>
    /// Metrics scraped at /edge/metrics (Prometheus text; /metrics belongs to the API), traces and metrics pushed over
    /// OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set. Incoming W3C trace context continues through YARP's forwarder,
    /// so a trace spans edge and API.
    /// </summary>
    public static WebApplicationBuilder AddEdgeTelemetry(this WebApplicationBuilder builder)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "teacherplatform-edge"))
            .WithMetrics(m =>
            {
                m.AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation()
                 .AddMeter(EdgeMetrics.MeterName)
                 .AddPrometheusExporter();
                if (otlp) m.AddOtlpExporter();
            })
            .WithTracing(t =>
            {
                t.AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/edge"))
                 .AddHttpClientInstrumentation()
                 .AddSource("Yarp.ReverseProxy");
                if (otlp) t.AddOtlpExporter();
            });
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        return builder;
    }
}
