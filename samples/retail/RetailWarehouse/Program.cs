using Orchestration.CommandLine;
using RetailWarehouse;

// The retail warehouse sample: every orch command, plus its graph over the stores' own point-of-sale files
// (local-sales-by-store, read in place on each store's worker). See ../README.md.
return await OrchestrationCommandLine.RunAsync(args, o => o.AddGraph(LocalSales.Graph));
