# TeacherPlatform edge gateway (YARP reverse proxy in front of the API instances). From the repository root:
#   docker build -f deploy/edge.Dockerfile -t teacherplatform-edge .
#   docker run -p 8080:8080 -e Edge__Upstreams__0=http://api1:8080 -e Edge__Upstreams__1=http://api2:8080 teacherplatform-edge
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Edge/TeacherPlatform.Edge.csproj src/Edge/
RUN dotnet restore src/Edge/TeacherPlatform.Edge.csproj
COPY src/Edge/ src/Edge/
RUN dotnet publish src/Edge/TeacherPlatform.Edge.csproj -c Release --no-restore -o /app /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
USER app
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /edge/health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "TeacherPlatform.Edge.dll"]
