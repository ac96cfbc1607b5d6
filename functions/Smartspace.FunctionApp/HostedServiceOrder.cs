using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Smartspace.FunctionApp;

/// <summary>The generic host starts hosted services in registration order; this puts some of them first.</summary>
internal static class HostedServiceOrder
{
    /// <summary>Moves every hosted service not in <paramref name="later"/> ahead of them, each group keeping its order.</summary>
    public static void MoveBefore(IServiceCollection services, IReadOnlyCollection<ServiceDescriptor> later)
    {
        var first = services.Where(d => d.ServiceType == typeof(IHostedService) && !later.Contains(d)).ToList();
        if (first.Count == 0)
        {
            return;
        }

        var at = services.IndexOf(services.First(d => d.ServiceType == typeof(IHostedService)));
        foreach (var descriptor in first)
        {
            services.Remove(descriptor);
        }

        for (var i = 0; i < first.Count; i++)
        {
            services.Insert(at + i, first[i]);
        }
    }
}
