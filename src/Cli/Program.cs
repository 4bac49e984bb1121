using Orchestration.CommandLine;
using Orchestration.CommandLine.Demo;

// `orch`: the engine's command line, a thin program on the command-line library like any user's own. Its graphs are the
// built-in demo's and the shape examples; the orchestrator it runs is generic (a process records its whole graph).
return await OrchestrationCommandLine.RunAsync(args, o => o.AddGraph(RetailDemo.Graph).AddGraph(ShapeExamples.SalesByDay).AddGraph(ShapeExamples.RefundReport));
