using System.Text;
using Microsoft.Extensions.Time.Testing;
using Orchestration.Processes;

namespace Orchestration.Testing;

/// <summary>
/// Given past events, when a command arrives, then these events (or this named error, or this drop).
/// A spec is data: run under xunit it is checked; run under <c>list</c> it is printed as documentation.
/// A spec that never states its expectation fails. Each spec is a test method (xunit's <c>[Fact]</c>, or any attribute
/// named <c>FactAttribute</c>) of a class deriving from this one; <see cref="GraphSpec"/> adds builders for one graph's events.
/// </summary>
public abstract class ProcessSpec : IDisposable
{
    /// <summary>Where every spec's fake clock starts; events in specs are stamped relative to it.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly AsyncLocal<Action<SpecText>?> Describe = new();

    private readonly List<IProcessEvent> _given = [];
    private IProcessCommand? _when;
    private DateTimeOffset _whenAt;
    private bool _expected;

    /// <summary>The spec's clock; advance it to let time pass. Never real time.</summary>
    protected FakeTimeProvider Clock { get; } = new(Epoch);

    /// <summary>The spec clock's time.</summary>
    protected DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>The process's history so far (events, never commands replayed with a real clock).</summary>
    protected void Given(params IProcessEvent[] events) => _given.AddRange(events);

    /// <summary>The command under test, arriving at <see cref="Now"/>.</summary>
    protected void When(IProcessCommand command) => (_when, _whenAt) = (command, Now);

    /// <summary>Then exactly these events, in this order.</summary>
    protected void Expect(params IProcessEvent[] events) => Check(new Outcome.Events(events));

    /// <summary>Then the command is refused with the named domain error.</summary>
    protected void Expect(string errorName) => Check(new Outcome.Error(errorName));

    /// <summary>Then the command is refused with the named domain error, whose message (for people) contains <paramref name="saying"/>.</summary>
    protected void Expect(string errorName, string saying) => Check(new Outcome.Error(errorName, saying));

    /// <summary>Then nothing happens, and the aggregate reports the message dropped for this reason.</summary>
    protected void ExpectDropped(DropKind kind) => Check(new Outcome.Drop(kind));

    private void Check(Outcome expected)
    {
        _expected = true;
        var when = _when ?? throw new InvalidOperationException("A spec must say When(...) before it states an expectation.");
        var text = new SpecText(GetType().Name, SpecName(), _given.Select(e => e.ToString()!).ToList(), when.ToString()!, expected.Lines());
        if (Describe.Value is { } describe)
        {
            describe(text);
            return;
        }
        var actual = Run(when);
        var diff = OutcomeDiff.Between(expected, actual);
        if (diff is not null)
            throw new SpecFailed(text.Render() + Section("WAS", actual.Lines()) + Section("DIFF", [diff]));
    }

    private Outcome Run(IProcessCommand when)
    {
        var state = ProcessState.From(_given);
        try
        {
            var decision = ProcessDecider.Decide(state, when, _whenAt);
            foreach (var e in decision.Events) ProcessState.Evolve(state, e); // the fold must accept what Decide emits
            return decision.Dropped is { } dropped ? new Outcome.Drop(dropped.Kind, dropped.Detail) : new Outcome.Events(decision.Events);
        }
        catch (DomainError error)
        {
            return new Outcome.Error(error.Name, error.Message);
        }
    }

    private string SpecName()
    {
        var frame = new System.Diagnostics.StackTrace().GetFrames()
            .Select(f => f.GetMethod())
            .FirstOrDefault(m => m?.DeclaringType == GetType() && SpecListing.IsSpec(m));
        return frame?.Name ?? "(unnamed)";
    }

    private static string Section(string title, IReadOnlyList<string> lines) =>
        new StringBuilder().AppendLine(title).AppendJoin("", lines.Select(l => $"  {l}{Environment.NewLine}")).ToString();

    /// <summary>Fails a spec that stated no expectation.</summary>
    public void Dispose()
    {
        GC.SuppressFinalize(this);
        if (!_expected && Describe.Value is null)
            throw new SpecFailed($"{GetType().Name} states no expectation: end it with Expect(...) or ExpectDropped(...).");
    }

    /// <summary>Runs <paramref name="spec"/> without checking it, handing its Given/When/Then text to <paramref name="sink"/>.</summary>
    public static void DescribeInto(Action<SpecText> sink, Action spec)
    {
        Describe.Value = sink;
        try { spec(); }
        finally { Describe.Value = null; }
    }
}

/// <summary>A spec whose outcome differs from its expectation; the message prints GIVEN / WHEN / THEN / WAS / DIFF.</summary>
public sealed class SpecFailed(string message) : Exception(message);
