# One image for both hosts of the distributed deployment: `orch orchestrator` and `orch worker`.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
# ReadyToRun, as ./orch builds it: a host or a command starts in about half the time.
RUN dotnet publish src/Cli/Cli.csproj -c Release --use-current-runtime --self-contained false -p:PublishReadyToRun=true -o /app

# The ASP.NET Core runtime: the hosts serve the dashboard and /healthz (the published runtimeconfig.json names both
# Microsoft.NETCore.App and Microsoft.AspNetCore.App; tests/Deployment/Container_image.cs keeps the two in step).
FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# Production refuses the repository's development credentials: set real ones through the environment.
ENV DOTNET_ENVIRONMENT=Production \
    Orchestration__Environment=Production \
    Orchestration__Mode=distributed
# Not root: the image's own unprivileged user. Workers' scratch space is the temporary folder, which it may write.
USER $APP_UID
# Healthy while the host's dependencies answer: the event store and broker (orchestrator), the broker and blobs (worker).
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 CMD ["dotnet", "/app/orch.dll", "health"]
ENTRYPOINT ["dotnet", "orch.dll"]
CMD ["worker"]
