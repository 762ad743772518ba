using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace TeacherPlatform.Api.Infrastructure;

/// <summary>
/// OpenAPI: declares the bearer (JWT) security scheme, marks the operations that need it, and documents the
/// RFC 9457 problem responses every operation can return (400/401/404/429), so the reference page can
/// authenticate and generated clients know the error shape.
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
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                var anonymous = metadata.OfType<IAllowAnonymous>().Any();
                var secured = !anonymous && metadata.OfType<IAuthorizeData>().Any();
                operation.Responses ??= new OpenApiResponses();
                if (secured)
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
                    Add(operation, context, "401", "Missing, expired or invalid access token.");
                }
                var hasInput = context.Description.ParameterDescriptions.Count > 0 || context.Description.SupportedRequestFormats.Count > 0;
                if (hasInput) Add(operation, context, "400", "Invalid input (code validation_failed or a more specific one).");
                // Unknown resources and resources the caller may not see are both 404.
                if (secured || context.Description.RelativePath?.Contains('{') == true)
                    Add(operation, context, "404", "Not found, or not visible to the caller.");
                if (!metadata.OfType<DisableRateLimitingAttribute>().Any())
                    Add(operation, context, "429", "Rate limit exceeded or account locked; see Retry-After.");
                return Task.CompletedTask;
            });
        });
        return services;
    }

    private static void Add(OpenApiOperation operation, OpenApiOperationTransformerContext context, string status, string description)
    {
        if (operation.Responses!.ContainsKey(status)) return;
        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(ProblemSchema, context.Document) },
            },
        };
    }
}
