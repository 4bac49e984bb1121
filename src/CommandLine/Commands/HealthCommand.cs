using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Orchestration.Operations.Telemetry;
using Orchestration.Operations.Telemetry.Health;

namespace Orchestration.CommandLine.Commands;

/// <summary><c>orch health</c>, and the <c>--health-port</c> of the host processes: can the deployment reach its services?</summary>
public static class HealthCommand
{
    public static Command Create()
    {
        var of = new Option<string>("--of") { Description = "Whose dependencies to check: orchestrator, worker or all", DefaultValueFactory = _ => "all" };
        of.AcceptOnlyFromAmong("orchestrator", "worker", "all");
        var command = new Command("health", "Check that the configured deployment reaches its event store, broker and blob store (exit 0 healthy, 1 not)") { of };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!Engines.Settings.IsDistributed)
            {
                Console.WriteLine("embedded mode: no services to reach (set Orchestration__Mode=distributed to check a deployment)");
                return 0;
            }
            var needs = Enum.Parse<Dependencies>(parse.GetValue(of)!, ignoreCase: true);
            var report = await EngineHealth.CheckAsync(Engines.Settings, needs, cancellationToken);
            Console.Write(EngineHealth.Describe(report));
            return report.Status == HealthStatus.Unhealthy ? 1 : 0;
        });
        return command;
    }

    /// <summary>The options that give a host process a <c>/healthz</c> endpoint.</summary>
    public sealed class EndpointOptions
    {
        public Option<int?> Port { get; } = new("--health-port") { Description = "Serve GET /healthz on this port (200 healthy, 503 not); off by default" };
        public Option<string> Address { get; } = new("--health-address")
        {
            Description = "The address /healthz listens on; 0.0.0.0 for probes from outside the machine (a Kubernetes kubelet)",
            DefaultValueFactory = _ => "127.0.0.1",
        };

        public void AddTo(Command command)
        {
            command.Options.Add(Port);
            command.Options.Add(Address);
        }

        public IPEndPoint? Endpoint(ParseResult parse)
        {
            if (parse.GetValue(Port) is not { } port) return null;
            if (port is < 1 or > 65535) throw CliError.BadArguments("--health-port must be between 1 and 65535.");
            return IPAddress.TryParse(parse.GetValue(Address), out var address)
                ? new IPEndPoint(address, port)
                : throw CliError.BadArguments($"--health-address '{parse.GetValue(Address)}' is not an IP address.");
        }
    }

    /// <summary>Where the host processes send telemetry (nowhere unless configured).</summary>
    public static TelemetrySettings Telemetry => TelemetrySettings.From(DistributedSettings.Load());
}
