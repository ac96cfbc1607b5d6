using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Smartspace.Meta.Graph;
using Smartspace.Meta.Options;
using Smartspace.Meta.Sending;

namespace Smartspace.Meta.Tests.Options;

public sealed class MetaRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddMetaWhatsApp(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void P2_AddMetaWhatsApp_BindsSectionMeta_AndResolvesThePorts()
    {
        using var provider = Build(new()
        {
            ["Meta:AppSecret"] = "s",
            ["Meta:VerifyToken"] = "v",
            ["Meta:AccessToken"] = "t",
            ["Meta:GraphBaseUrl"] = "http://127.0.0.1:5080/sandbox/graph",
            ["Meta:SandboxEnabled"] = "true",
            ["Meta:TemplateSyncInterval"] = "00:05:00",
        });

        var options = provider.GetRequiredService<IOptions<MetaOptions>>().Value;
        Assert.True(options.SandboxEnabled);
        Assert.Equal("v23.0", options.GraphApiVersion);
        Assert.Equal(TimeSpan.FromMinutes(5), options.TemplateSyncInterval);
        Assert.IsType<GraphApiClient>(provider.GetRequiredService<IWhatsAppSender>());
        Assert.IsType<GraphApiClient>(provider.GetRequiredService<IMessageTemplateSource>());
    }

    [Fact]
    public void P2_MissingSecrets_FailValidation_WithEveryError()
    {
        using var provider = Build(new());

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MetaOptions>>().Value);

        Assert.Equal(3, ex.Failures.Count());
    }
}
