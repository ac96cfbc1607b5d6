using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Smartspace.Realtime.Options;
using Smartspace.Realtime.Publishing;

namespace Smartspace.Realtime.Tests.Publishing;

public sealed class RegistrationTests
{
    [Fact]
    public void AzureMode_RegistersRestPublisher_AndWssClientUrls()
    {
        using var provider = Build(new()
        {
            ["WebPubSub:Mode"] = "Azure",
            ["WebPubSub:Endpoint"] = "https://contoso.webpubsub.azure.com",
            ["WebPubSub:AccessKey"] = new string('k', 44),
        });
        Assert.IsType<WebPubSubRestPublisher>(provider.GetRequiredService<IRealtimePublisher>());
        var access = provider.GetRequiredService<IClientAccessUrlFactory>().Create("agent-1");
        Assert.Equal("wss://contoso.webpubsub.azure.com/client/hubs/agents", access.BaseUrl);
    }

    [Fact]
    public void InvalidOptions_ResolvingThrowsWithEveryError()
    {
        using var provider = Build(new() { ["WebPubSub:Hub"] = "9" });
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<WebPubSubOptions>>().Value);
        Assert.Equal(3, e.Failures.Count()); // endpoint, key, hub
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSmartspaceRealtime(config.GetSection("WebPubSub"));
        return services.BuildServiceProvider();
    }
}
