using FluentAssertions;
using Orchestration.Operations.Dashboard;
using Xunit;

namespace Orchestration.Tests.Operations;

/// <summary>Where the dashboard listens, and where <c>orch workers</c> looks for it.</summary>
public sealed class Dashboard_settings
{
    [Fact]
    public void By_default_the_dashboard_listens_on_loopback_only()
    {
        var settings = DashboardSettings.Parse(DashboardSettings.DefaultUrls);

        settings.Urls.Should().ContainSingle().Which.Host.Should().Be("127.0.0.1");
        settings.ClientAddress.Should().Be(new Uri("http://127.0.0.1:5080/"));
    }

    [Theory]
    [InlineData("off")]
    [InlineData("")]
    public void The_dashboard_can_be_switched_off(string urls) => DashboardSettings.Parse(urls).Enabled.Should().BeFalse();

    [Fact]
    public void A_dashboard_on_every_interface_is_reached_on_loopback_from_this_machine() =>
        DashboardSettings.Parse("http://+:8080;http://127.0.0.1:8081").ClientAddress.Should().Be(new Uri("http://127.0.0.1:8080/"));

    [Theory]
    [InlineData("127.0.0.1:5080")]
    [InlineData("ftp://127.0.0.1:5080")]
    [InlineData("http://127.0.0.1:5080/dashboard")]
    public void A_url_that_is_not_an_http_address_is_refused_with_an_example(string urls) =>
        FluentActions.Invoking(() => DashboardSettings.Parse(urls)).Should().Throw<ArgumentException>()
            .WithMessage($"Dashboard URL '{urls}' is not an http(s) address*such as http://127.0.0.1:5080*'off'*");
}
