using Acme.Pipelines;
using Acme.Pipelines.Graphs;
using Acme.Pipelines.Steps;
using Orchestration.CommandLine;

// Every orch command over this program's graphs and steps:
//   dotnet run --project src/Acme.Pipelines -- generate --dir data   sample sales partitions (CSV)
//   dotnet run --project src/Acme.Pipelines -- run customer-tiers --dataset sales='data/*.csv' --out tiers.csv   (embedded)
//   dotnet run --project src/Acme.Pipelines -- worker                a worker of a distributed deployment, with ScoreCustomers
//   dotnet run --project src/Acme.Pipelines -- status | describe <id> | history <id>
return await OrchestrationCommandLine.RunAsync(args,
    o => o.AddGraph(CustomerTiers.Graph).AddStep<ScoreCustomers>(),
    root => root.Subcommands.Add(SampleSales.Command()));
