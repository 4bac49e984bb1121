# One image for both hosts of the distributed deployment: `orch orchestrator` and `orch worker`.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Cli/Cli.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0
WORKDIR /app
COPY --from=build /app .
# Production refuses the repository's development credentials: set real ones through the environment.
ENV DOTNET_ENVIRONMENT=Production \
    Orchestration__Environment=Production \
    Orchestration__Mode=distributed
ENTRYPOINT ["dotnet", "orch.dll"]
CMD ["worker"]
