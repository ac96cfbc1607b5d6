using System.Buffers;
using Smartspace.Functions.Hosting;

namespace Smartspace.LocalHost;

/// <summary>
/// <c>POST /bench/baseline</c>: reads the body and answers 200, nothing else — the floor that
/// bench/WebhookBench compares the webhook with, on the same host and pipeline. Mapped only in local
/// mode and only when <c>Bench:BaselineEndpoint=true</c>; it has no function.json.
/// </summary>
public static class BenchBaseline
{
    public const string Route = "/bench/baseline";
    public const string SettingKey = "Bench:BaselineEndpoint";

    public static void MapBenchBaseline(this IEndpointRouteBuilder endpoints, IConfiguration configuration)
    {
        if (!configuration.GetValue<bool>(SettingKey))
        {
            return;
        }

        endpoints.MapPost(Route, async (HttpRequest request, CancellationToken ct) =>
        {
            var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                while (await request.Body.ReadAsync(buffer, ct) > 0)
                {
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return Results.Ok();
        }).AllowAnonymous().LocalOnly().ExcludeFromDescription();
    }
}
