using Microsoft.Extensions.Options;
using Smartspace.Meta.Options;
using Smartspace.Realtime.Options;
using Smartspace.Storage;

namespace Smartspace.Functions.Hosting;

/// <summary>
/// Validates every options class before anything is mapped or started and fails with ALL the problems at
/// once (an operator fixes a configuration in one round, not one error per restart).
/// </summary>
public static class StartupValidation
{
    public static void ValidateAll(IServiceProvider services)
    {
        var errors = new List<string>();
        Check<StorageOptions>(services, errors);
        Check<MetaOptions>(services, errors);
        Check<WebPubSubOptions>(services, errors);
        Check<AuthOptions>(services, errors);
        Check<TimersOptions>(services, errors);
        Check<AgentApiOptions>(services, errors);
        Check<TelemetryOptions>(services, errors);
        Check<LocalOptions>(services, errors);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException("Smartspace", typeof(object), errors);
        }
    }

    private static void Check<T>(IServiceProvider services, List<string> errors) where T : class
    {
        try
        {
            _ = services.GetRequiredService<IOptions<T>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            errors.AddRange(ex.Failures);
        }
    }
}
