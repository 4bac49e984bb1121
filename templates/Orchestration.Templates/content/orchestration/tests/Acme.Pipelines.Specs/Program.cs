using Orchestration.Testing;

// dotnet run --project tests/Acme.Pipelines.Specs -- list    prints every spec as Given / When / Then text.
return SpecListing.Run(args, typeof(Acme.Pipelines.Specs.scoring_customers).Assembly);
