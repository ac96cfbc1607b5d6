using Smartspace.Meta.Options;

namespace Smartspace.Meta.Tests.Options;

public sealed class MetaOptionsValidatorTests
{
    [Fact]
    public void P2_LocalSampleValues_AreValid()
    {
        var options = new MetaOptions
        {
            AppSecret = "local-app-secret-change-me",
            VerifyToken = "local-verify-token",
            GraphBaseUrl = "http://127.0.0.1:5080/sandbox/graph",
            GraphApiVersion = "v23.0",
            AccessToken = "local-access-token",
            SandboxEnabled = true,
            SandboxWebhookUrl = "http://127.0.0.1:5080/api/whatsapp/webhook",
            TemplateSyncInterval = TimeSpan.FromMinutes(15),
        };

        Assert.True(new MetaOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal("http://127.0.0.1:5080/sandbox/graph/v23.0/", options.VersionedBaseUrl);
    }

    [Fact]
    public void P2_EveryProblem_IsReportedAtOnce()
    {
        var options = new MetaOptions
        {
            AppSecret = "",
            VerifyToken = " ",
            GraphBaseUrl = "http://graph.facebook.com",
            GraphApiVersion = "23",
            AccessToken = "",
            SandboxWebhookUrl = "not a url",
            TemplateSyncInterval = TimeSpan.Zero,
        };

        var result = new MetaOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToArray();
        Assert.Equal(7, failures.Length);
        Assert.Contains(failures, f => f.Contains("Meta:AppSecret", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Meta:VerifyToken", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Meta:AccessToken", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Meta:GraphBaseUrl", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Meta:GraphApiVersion", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Meta:SandboxWebhookUrl", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Meta:TemplateSyncInterval", StringComparison.Ordinal));
    }
}
