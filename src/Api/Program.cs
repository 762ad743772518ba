using Scalar.AspNetCore;
using TeacherPlatform.Api;
using TeacherPlatform.Api.Infrastructure;

var builder = WebApplication.CreateBuilder(args.Where(a => !Cli.IsCommand(a)).ToArray());
builder.AddTeacherPlatform();
var app = builder.Build();
app.UseTeacherPlatform();

if (Cli.TryGetCommand(args, out var command))
{
    return await Cli.RunAsync(app, command, args);
}

await app.RunAsync();
return 0;

public partial class Program;
