# TeacherPlatform API (and its `worker` mode). Build from the repository root:
#   docker build -f deploy/api.Dockerfile -t teacherplatform-api .
# Run:  docker run -p 8080:8080 -v tp-data:/data teacherplatform-api            (HTTP API)
#       docker run -v tp-data:/data teacherplatform-api worker                   (ingestion workers only)
#       docker run --rm teacherplatform-api migrate | rotate-signing-key | backup /data/backup.db | jobs
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first so that the package layer is cached across source edits.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Core/TeacherPlatform.Core.csproj src/Core/
COPY src/Ai/Plugins/TeacherPlatform.Ai.csproj src/Ai/Plugins/
COPY src/Ingestion/TeacherPlatform.Ingestion.csproj src/Ingestion/
COPY src/Api/TeacherPlatform.Api.csproj src/Api/
RUN dotnet restore src/Api/TeacherPlatform.Api.csproj
COPY src/ src/
RUN dotnet publish src/Api/TeacherPlatform.Api.csproj -c Release --no-restore -o /app /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The image's unprivileged `app` user (UID 1654) owns only the data directory.
RUN mkdir -p /data && chown app:app /data
USER app
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_gcServer=1 \
    Data__Directory=/data
VOLUME /data
EXPOSE 8080
# Liveness without curl in the image: a raw HTTP/1.0 request over bash's /dev/tcp. The worker mode has no HTTP
# listener; compose.yaml replaces this check for it.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /api/health/live HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "TeacherPlatform.Api.dll"]
