using FluentAssertions;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Orchestration.Adapters.Configuration;
using Orchestration.Hosting;
using Orchestration.Operations.Scaling;
using Xunit;

namespace Orchestration.Tests.Deployment;

/// <summary>
/// deploy/k8s cannot be applied here (no cluster; kubectl needs one even for a client dry run), so it is loaded
/// strictly into the typed Kubernetes objects (unknown fields fail) and checked against the engine: the queue KEDA
/// reads is the one the workers consume, its figures are orch scale's, every host gets the settings it requires,
/// and every Secret or ConfigMap it names exists in the manifests or is the Secret the README tells how to create.
/// </summary>
public sealed class Kubernetes_manifests
{
    private static readonly string Root = RepositoryRoot();

    private static readonly Dictionary<string, Type> Kinds = new()
    {
        ["v1/ConfigMap"] = typeof(V1ConfigMap),
        ["apps/v1/Deployment"] = typeof(V1Deployment),
        ["keda.sh/v1alpha1/ScaledObject"] = typeof(ScaledObject),
        ["keda.sh/v1alpha1/TriggerAuthentication"] = typeof(TriggerAuthentication),
    };

    private readonly List<object> _manifests = Directory.GetFiles(Path.Combine(Root, "deploy", "k8s"), "*.yaml").Order().SelectMany(Load).ToList();

    private IEnumerable<T> All<T>() => _manifests.OfType<T>();
    private V1ConfigMap Config => All<V1ConfigMap>().Single();
    private V1Deployment Deployment(string host) => All<V1Deployment>().Single(d => Container(d).Args[0] == host);
    private static V1Container Container(V1Deployment deployment) => deployment.Spec.Template.Spec.Containers.Single();

    [Fact]
    public void Every_manifest_loads_into_its_typed_object_and_none_names_a_namespace()
    {
        _manifests.Select(m => m.GetType().Name).Order().Should().Equal(
            nameof(ScaledObject), nameof(TriggerAuthentication), nameof(V1ConfigMap), nameof(V1Deployment), nameof(V1Deployment));
        _manifests.Cast<IMetadata<V1ObjectMeta>>().Should().OnlyContain(m => m.Metadata.NamespaceProperty == null,
            "the manifests go into whichever namespace kubectl is told");
    }

    [Fact]
    public void The_scaled_object_scales_the_workers_on_the_engine_task_queue_with_the_figures_of_orch_scale()
    {
        var scaled = All<ScaledObject>().Single().Spec;
        var trigger = scaled.Triggers.Should().ContainSingle().Subject;
        var worker = Deployment("worker");

        (scaled.ScaleTargetRef.Kind ?? "Deployment", scaled.ScaleTargetRef.Name).Should().Be(("Deployment", worker.Metadata.Name));
        trigger.Type.Should().Be("rabbitmq");
        trigger.Metadata.Should().Contain("mode", "QueueLength").And.Contain("protocol", "amqp", "over AMQP KEDA counts ready messages, as orch scale does")
            .And.Contain("queueName", SettingsOf(worker).TaskQueue, "KEDA must read the queue the workers consume")
            .And.Contain("value", $"{ScalingPolicy.Default.PerWorker}");
        (scaled.MinReplicaCount, scaled.MaxReplicaCount).Should().Be((ScalingPolicy.Default.Min, ScalingPolicy.Default.Max));
        var behavior = scaled.Advanced?.HorizontalPodAutoscalerConfig?.Behavior;
        behavior?.ScaleDown?.StabilizationWindowSeconds.Should().Be((int)ScalingPolicy.Default.CoolDown.TotalSeconds, "the cool-down before scaling down");
        behavior?.ScaleUp?.StabilizationWindowSeconds.Should().Be(0, "scaling up is immediate");

        var authentication = All<TriggerAuthentication>().Should().ContainSingle(a => a.Metadata.Name == trigger.AuthenticationRef!.Name).Subject;
        var host = authentication.Spec.SecretTargetRef.Should().ContainSingle(r => r.Parameter == "host").Subject;
        var workersBroker = Container(worker).Env.Single(e => e.Name == "Orchestration__RabbitMq").ValueFrom.SecretKeyRef;
        (host.Name, host.Key).Should().Be((workersBroker.Name, workersBroker.Key), "KEDA reads the broker the workers use");
    }

    [Theory]
    [InlineData("orchestrator", nameof(DistributedSettings.Postgres), nameof(DistributedSettings.RabbitMq))]
    [InlineData("worker", nameof(DistributedSettings.RabbitMq), nameof(DistributedSettings.Blobs))]
    public void Each_host_gets_every_setting_it_requires_with_credentials_only_from_the_secret(string host, params string[] requires)
    {
        var deployment = Deployment(host);
        var settings = SettingsOf(deployment);

        settings.IsDistributed.Should().BeTrue();
        settings.IsProduction.Should().BeTrue("a cluster refuses the repository's development credentials");
        settings.Invoking(s => s.Require(requires)).Should().NotThrow();
        Container(deployment).Env.Where(e => e.Name.StartsWith("Orchestration__")).Should().OnlyContain(e => e.Value == null && e.ValueFrom.SecretKeyRef != null,
            "credentials come from the Secret, never from the repository");
        Container(deployment).Image.Should().Be(Container(Deployment("orchestrator")).Image, "one image (the Dockerfile's) runs both hosts");
    }

    [Fact]
    public void A_worker_shows_waiting_tasks_as_ready_and_is_given_the_time_to_hand_its_tasks_back()
    {
        var worker = Deployment("worker");
        var args = Container(worker).Args;
        string Arg(string name) => args[args.IndexOf(name) + 1];

        Arg("--prefetch").Should().Be(Arg("--slots"), "a prefetched task is not ready, and the scaler counts ready tasks");
        worker.Spec.Template.Spec.TerminationGracePeriodSeconds.Should().BeGreaterThanOrEqualTo(int.Parse(Arg("--grace-seconds")) + 15,
            "SIGKILL must not come before the worker's grace period and MassTransit's stop margin");
    }

    [Fact]
    public void Every_config_map_and_secret_named_is_in_the_manifests_or_created_by_the_readme_command()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var containers = All<V1Deployment>().Select(Container).ToList();
        var configMaps = containers.SelectMany(c => c.EnvFrom ?? []).Select(f => f.ConfigMapRef?.Name)
            .Concat(containers.SelectMany(c => c.Env ?? []).Select(e => e.ValueFrom?.ConfigMapKeyRef?.Name)).OfType<string>().ToList();
        var secrets = containers.SelectMany(c => c.Env ?? []).Select(e => e.ValueFrom?.SecretKeyRef).OfType<V1SecretKeySelector>().Select(s => (s.Name, s.Key))
            .Concat(All<TriggerAuthentication>().SelectMany(a => a.Spec.SecretTargetRef).Select(r => (r.Name, r.Key)))
            .Concat(containers.SelectMany(c => c.EnvFrom ?? []).Select(f => f.SecretRef?.Name).OfType<string>().Select(name => (name, "")))
            .Distinct().ToList();

        configMaps.Should().NotBeEmpty().And.OnlyContain(name => name == Config.Metadata.Name);
        secrets.Should().NotBeEmpty();
        foreach (var (name, key) in secrets)
            readme.Should().Contain($"kubectl create secret generic {name}", $"the README must tell how to create the Secret {name}")
                .And.Contain($"--from-literal={key}=", $"the README's command must set the key {key} of {name}");
    }

    /// <summary>The settings a host of <paramref name="deployment"/> sees: its ConfigMap, and its Secret's keys (their values are not in the repository).</summary>
    private DistributedSettings SettingsOf(V1Deployment deployment)
    {
        var container = Container(deployment);
        var environment = new Dictionary<string, string?>();
        foreach (var source in container.EnvFrom ?? [])
            foreach (var (key, value) in All<V1ConfigMap>().Single(c => c.Metadata.Name == source.ConfigMapRef.Name).Data)
                environment[key] = value;
        foreach (var variable in container.Env ?? [])
            environment[variable.Name] = variable.Value ?? $"secret {variable.ValueFrom.SecretKeyRef.Name}/{variable.ValueFrom.SecretKeyRef.Key}";
        return DistributedSettings.From(new ConfigurationBuilder()
            .AddInMemoryCollection(environment.ToDictionary(e => e.Key.Replace("__", ":"), e => e.Value)).Build());
    }

    private static IEnumerable<object> Load(string file)
    {
        try
        {
            return KubernetesYaml.LoadAllFromString(File.ReadAllText(file), Kinds, strict: true);
        }
        catch (Exception error)
        {
            throw new InvalidDataException($"{Path.GetFileName(file)} is not a valid manifest: {error.Message} {error.InnerException?.Message}", error);
        }
    }

    private static string RepositoryRoot()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Orchestration.sln"))) root = Path.GetDirectoryName(root) ?? throw new DirectoryNotFoundException("the repository root");
        return root;
    }
}
