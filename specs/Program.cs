using Orchestration.Testing;

// `dotnet run --project specs -- list` prints every specification as Given / When / Then text.
// The specs themselves run under `dotnet test`.
return SpecListing.Run(args, typeof(Orchestration.Specs.Harness.SalesSpec).Assembly);
