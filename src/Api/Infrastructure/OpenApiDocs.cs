using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace TeacherPlatform.Api.Infrastructure;

/// <summary>
/// OpenAPI: declares the bearer (JWT) security scheme, marks the operations that need it (with their 401), the 429 of
/// rate-limited ones, and gives every error response a route declares the one RFC 9457 problem shape, so the reference
/// page can authenticate and generated clients know the error shape.
/// </summary>
public static class OpenApiDocs
{
    public const string BearerScheme = "Bearer";
    public const string ProblemSchema = "Problem";

    public static IServiceCollection AddApiOpenApiDocs(this IServiceCollection services)
    {
        services.Configure<OpenApiOptions>("v1", o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "Access token from POST /api/auth/login or /api/auth/register (ES256 JWT, keys at /.well-known/jwks.json).",
                };
                document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
                document.Components.Schemas[ProblemSchema] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "RFC 9457 problem details with a stable machine-readable code.",
                    Required = new HashSet<string> { "type", "title", "status", "code" },
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                        ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Stable error code, e.g. validation_failed, not_found, rate_limited." },
                        ["errors"] = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                        },
                    },
                };
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                // Every route needs a token (the fallback policy) unless it allows anonymous callers.
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                var secured = !metadata.OfType<IAllowAnonymous>().Any();
                operation.Responses ??= new OpenApiResponses();
                if (secured)
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
                    operation.Responses.TryAdd("401", new OpenApiResponse());
                }
                if (!metadata.OfType<DisableRateLimitingAttribute>().Any()) operation.Responses.TryAdd("429", new OpenApiResponse());
                // The other error responses are declared per route (ProducesProblem); all of them are the one problem shape.
                foreach (var (status, response) in operation.Responses.ToList())
                {
                    if (!int.TryParse(status, out var code) || code < 400) continue;
                    operation.Responses[status] = new OpenApiResponse
                    {
                        Description = Descriptions.GetValueOrDefault(code, response.Description ?? "Error."),
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            ["application/problem+json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(ProblemSchema, context.Document) },
                        },
                    };
                }
                return Task.CompletedTask;
            });
        });
        return services;
    }

    private static readonly Dictionary<int, string> Descriptions = new()
    {
        [400] = "Invalid input (code validation_failed or a more specific one).",
        [401] = "Missing, expired or invalid access token.",
        [403] = "Visible to the caller, but not with the permission or role this needs.",
        [404] = "Not found, or not visible to the caller.",
        [409] = "Conflicts with the resource's current state.",
        [413] = "The file or body exceeds the size limit.",
        [415] = "The content is not of a supported type.",
        [416] = "The requested range is outside the file.",
        [422] = "The content has the right type but cannot be read.",
        [429] = "Rate limit exceeded or account locked; see Retry-After.",
        [502] = "The language model failed.",
        [504] = "The language model did not answer in time.",
    };
}
