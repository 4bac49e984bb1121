using System.Net;
using System.Net.Sockets;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Orchestration.Operations.Telemetry.Health;
using Xunit;

namespace Orchestration.Tests.Operations;

/// <summary>The health checks against the real services, and against addresses where nothing answers.</summary>
public sealed class Telemetry_health
{
    private static DistributedSettings Real => new()
    {
        Mode = "distributed",
        Postgres = Services.Postgres,
        RabbitMq = Services.RabbitMq.ToString(),
        Blobs = Services.Blobs,
        BlobContainer = "orch-health-test",
    };

    [Fact]
    public async Task The_running_services_report_healthy()
    {
        var report = await EngineHealth.CheckAsync(Real, Dependencies.All);

        report.Entries.Keys.Should().BeEquivalentTo(["event store", "broker", "blob store"]);
        report.Status.Should().Be(HealthStatus.Healthy, EngineHealth.Describe(report));
    }

    [Fact]
    public async Task A_wrong_port_reports_unhealthy_naming_the_dependency_and_where_it_was_looked_for()
    {
        var port = UnusedPort();
        var wrong = Real with
        {
            Postgres = Services.Postgres.Replace("Port=5432", $"Port={port}"),
            RabbitMq = new UriBuilder(Services.RabbitMq) { Port = port }.Uri.ToString(),
        };

        var report = await EngineHealth.CheckAsync(wrong, Dependencies.All);

        report.Status.Should().Be(HealthStatus.Unhealthy);
        report.Entries["event store"].Status.Should().Be(HealthStatus.Unhealthy);
        report.Entries["event store"].Description.Should().Contain($"PostgreSQL at 127.0.0.1:{port}").And.Contain("unreachable");
        report.Entries["broker"].Status.Should().Be(HealthStatus.Unhealthy);
        report.Entries["broker"].Description.Should().Contain($"RabbitMQ at 127.0.0.1:{port}").And.Contain("unreachable");
        report.Entries["blob store"].Status.Should().Be(HealthStatus.Healthy, "only the other two were pointed elsewhere");
        report.Entries["event store"].Description.Should().NotContain("orch-dev", "a health message never shows the password");
    }

    [Fact]
    public async Task A_blob_store_where_nothing_listens_is_unhealthy()
    {
        var port = UnusedPort();
        var wrong = Real with { Blobs = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;" };

        var report = await EngineHealth.CheckAsync(wrong, Dependencies.BlobStore);

        report.Entries["blob store"].Status.Should().Be(HealthStatus.Unhealthy);
        report.Entries["blob store"].Description.Should().Contain($"Azure Blob storage at http://127.0.0.1:{port}").And.Contain("unreachable");
    }

    [Fact]
    public async Task The_healthz_endpoint_answers_200_when_healthy_and_503_naming_the_broker_when_not()
    {
        var healthy = await GetHealthzAsync(Real);
        var broken = await GetHealthzAsync(Real with { RabbitMq = new UriBuilder(Services.RabbitMq) { Port = UnusedPort() }.Uri.ToString() });

        healthy.Status.Should().Be(HttpStatusCode.OK, healthy.Body);
        healthy.Body.Should().Contain("broker").And.Contain("blob store");
        broken.Status.Should().Be(HttpStatusCode.ServiceUnavailable);
        broken.Body.Split('\n').Should().Contain(line => line.StartsWith("broker") && line.Contains("Unhealthy"));
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetHealthzAsync(DistributedSettings settings)
    {
        var port = UnusedPort();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddEngineHealthChecks(settings, Dependencies.Worker);
        builder.Services.AddHealthEndpoint(new IPEndPoint(IPAddress.Loopback, port));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var response = await http.GetAsync($"http://127.0.0.1:{port}/healthz");
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
