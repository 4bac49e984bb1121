using k8s;
using k8s.Models;

namespace Orchestration.Tests.Deployment;

// KEDA's custom resources (keda.sh/v1alpha1), as much of their schema as deploy/k8s uses: loaded strictly, so a
// misspelt or misplaced field fails the manifests test as the cluster's CRD validation would.

public abstract class KedaResource<TSpec> : IKubernetesObject<V1ObjectMeta> where TSpec : new()
{
    public string ApiVersion { get; set; } = "";
    public string Kind { get; set; } = "";
    public V1ObjectMeta Metadata { get; set; } = new();
    public TSpec Spec { get; set; } = new();
}

public sealed class ScaledObject : KedaResource<ScaledObjectSpec>;

public sealed class ScaledObjectSpec
{
    public ScaleTargetRef ScaleTargetRef { get; set; } = new();
    public int? PollingInterval { get; set; }
    public int? CooldownPeriod { get; set; }
    public int? MinReplicaCount { get; set; }
    public int? MaxReplicaCount { get; set; }
    public ScaledObjectAdvanced? Advanced { get; set; }
    public List<ScaleTrigger> Triggers { get; set; } = [];
}

public sealed class ScaleTargetRef
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public string Name { get; set; } = "";
}

public sealed class ScaledObjectAdvanced
{
    public HorizontalPodAutoscalerConfig? HorizontalPodAutoscalerConfig { get; set; }
}

public sealed class HorizontalPodAutoscalerConfig
{
    public V2HorizontalPodAutoscalerBehavior? Behavior { get; set; }
}

public sealed class ScaleTrigger
{
    public string Type { get; set; } = "";
    public Dictionary<string, string> Metadata { get; set; } = [];
    public NamedRef? AuthenticationRef { get; set; }
}

public sealed class NamedRef
{
    public string Name { get; set; } = "";
}

public sealed class TriggerAuthentication : KedaResource<TriggerAuthenticationSpec>;

public sealed class TriggerAuthenticationSpec
{
    public List<SecretTargetRef> SecretTargetRef { get; set; } = [];
}

public sealed class SecretTargetRef
{
    public string Parameter { get; set; } = "";
    public string Name { get; set; } = "";
    public string Key { get; set; } = "";
}
