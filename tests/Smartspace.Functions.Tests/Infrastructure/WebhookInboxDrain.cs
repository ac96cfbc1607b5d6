using System.Net.Http.Json;
using System.Text.Json;

namespace Smartspace.Functions.Tests.Infrastructure;

/// <summary>
/// A 200 from the webhook means "durable in the inbox"; the ledger is updated right after. Tests that then read the
/// ledger wait here until the handler's inbox (local status endpoint) has nothing pending.
/// </summary>
public static class WebhookInboxDrain
{
    public static async Task WaitAsync(HttpClient client, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            using var response = await client.GetAsync("/api/local/webhook-inbox");
            if (!response.IsSuccessStatusCode)
            {
                return; // not local mode: no inbox status, and no inbox (Azure Tables apply before answering)
            }

            var status = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (!status.GetProperty("enabled").GetBoolean() || status.GetProperty("pending").GetInt64() == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The webhook inbox still has {status.GetProperty("pending").GetInt64()} entries pending.");
            }

            await Task.Delay(5);
        }
    }
}
