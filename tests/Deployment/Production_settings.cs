using FluentAssertions;
using Microsoft.Extensions.Configuration;
using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Xunit;

namespace Orchestration.Tests.Deployment;

/// <summary>The repository's credentials are for the local stack only: a production configuration that still holds them is refused.</summary>
public sealed class Production_settings
{
    private static DistributedSettings Settings(string environment, string postgres, string rabbit, string blobs) =>
        DistributedSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orchestration:Mode"] = "distributed",
            ["Orchestration:Environment"] = environment,
            ["Orchestration:Postgres"] = postgres,
            ["Orchestration:RabbitMq"] = rabbit,
            ["Orchestration:Blobs"] = blobs,
        }).Build());

    private const string DevPostgres = "Host=127.0.0.1;Username=orch;Password=orch-dev;Database=orchestration";
    private const string DevRabbit = "amqp://orch:orch-dev@127.0.0.1:5672/";

    [Fact]
    public void Production_with_the_development_credentials_is_refused_naming_each_setting()
    {
        var settings = Settings("Production", DevPostgres, "amqp://svc:Xq9-real@mq.internal:5672/", "UseDevelopmentStorage=true");

        var check = () => settings.Require(nameof(DistributedSettings.Postgres), nameof(DistributedSettings.RabbitMq), nameof(DistributedSettings.Blobs));

        check.Should().Throw<InvalidOperationException>().WithMessage(
            "Orchestration:Environment is Production but Orchestration:Postgres, Orchestration:Blobs still use the local-development credentials. " +
            "Set real ones through the environment (Orchestration__Postgres, Orchestration__Blobs).");
    }

    [Fact]
    public void Production_with_real_credentials_is_accepted()
    {
        var settings = Settings("Production", "Host=db.internal;Username=orch;Password=S3cret-from-vault", "amqp://svc:Xq9-real@mq.internal:5672/",
            "DefaultEndpointsProtocol=https;AccountName=prodblobs;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net");

        settings.Invoking(s => s.Require(nameof(DistributedSettings.Postgres), nameof(DistributedSettings.RabbitMq), nameof(DistributedSettings.Blobs)))
            .Should().NotThrow();
    }

    [Fact]
    public void Development_may_use_the_development_credentials()
    {
        var settings = Settings("Development", DevPostgres, DevRabbit, "UseDevelopmentStorage=true");

        settings.Invoking(s => s.Require(nameof(DistributedSettings.Postgres), nameof(DistributedSettings.RabbitMq), nameof(DistributedSettings.Blobs)))
            .Should().NotThrow();
    }

    [Fact]
    public void A_missing_setting_is_named_with_where_to_set_it()
    {
        var settings = Settings("Development", "", DevRabbit, "");

        settings.Invoking(s => s.Require(nameof(DistributedSettings.Postgres), nameof(DistributedSettings.Blobs)))
            .Should().Throw<InvalidOperationException>()
            .WithMessage("Not configured: Orchestration:Postgres, Orchestration:Blobs. Set them in appsettings.json or as environment variables (Orchestration__Postgres, Orchestration__Blobs).");
    }
}
