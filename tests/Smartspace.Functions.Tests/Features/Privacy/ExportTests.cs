using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Privacy;

/// <summary>LGPD access: one archive with the profile and number variants (P6), conversations with qualification and description, messages with statuses, media.</summary>
public sealed class ExportTests : IDisposable
{
    private const string Typed = "11987650404";
    private readonly HandlerFactory factory = new();

    private async Task<string> ServeAsync()
    {
        var f = factory;
        var t0 = f.Clock.GetUtcNow();
        await f.CustomerWritesAsync(Typed, "wamid.exp.1", t0, "Quero meus dados", "Rita Exportada");
        // P6: the same customer writes from the 12-digit form of the number, with their BSUID.
        await f.CustomerSendsImageAsync("551187650404", "wamid.exp.2", t0.AddSeconds(1), "Comprovante", "Rita Exportada", "BR.5511987650404");
        var conversation = await f.CurrentConversationAsync(Typed);
        using (var sent = await f.ClientFor(conversation.AgentId!).SendTextAsync(conversation.ConversationId, "Recebido, Rita"))
        {
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        }

        return await f.FinishCurrentAsync(Typed, "duvida", "Pediu cópia dos dados");
    }

    [Fact]
    public async Task LGPD_Export_HoldsProfileVariantsConversationsMessagesAndMedia_AndIsAudited()
    {
        var id = await ServeAsync();

        using var response = await factory.Supervisor().ExportAsync(new { number = "+55 11 98765-0404" });

        var files = await response.ReadArchiveAsync();
        var export = JsonDocument.Parse(files["export.json"]).RootElement;
        var variants = export.GetProperty("customer").GetProperty("numberVariants").EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.Contains("5511987650404", variants);
        Assert.Contains("551187650404", variants);
        Assert.Equal(["BR.5511987650404"], export.GetProperty("customer").GetProperty("userIds").EnumerateArray().Select(v => v.GetString()));
        var profile = Assert.Single(export.GetProperty("profiles").EnumerateArray());
        Assert.Equal("Rita Exportada", profile.GetProperty("profileName").GetString());
        var conversation = Assert.Single(export.GetProperty("conversations").EnumerateArray());
        Assert.Equal((id, "duvida", "Dúvida", "Pediu cópia dos dados"), (conversation.GetProperty("id").GetString(), conversation.GetProperty("qualificationId").GetString(),
            conversation.GetProperty("qualificationName").GetString(), conversation.GetProperty("description").GetString()));
        var messages = conversation.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["in", "in", "out"], messages.Select(m => m.GetProperty("direction").GetString()));
        Assert.Equal("Quero meus dados", messages[0].GetProperty("body").GetString());
        Assert.All(messages, m => Assert.False(string.IsNullOrEmpty(m.GetProperty("status").GetString())));
        var mediaPath = messages[1].GetProperty("mediaFile").GetString()!;
        Assert.Equal("Comprovante", JsonDocument.Parse(files[mediaPath]).RootElement.GetProperty("caption").GetString());
        Assert.Equal(2, files.Count);

        var audit = Assert.Single(await factory.AuditAsync(), a => a.GetProperty("action").GetString() == "customer.export");
        Assert.Equal(("done", "+55 11 9****-0404", 3), (audit.GetProperty("outcome").GetString(), audit.GetProperty("customer").GetString(),
            audit.GetProperty("details").GetProperty("messages").GetInt32()));
        Assert.DoesNotContain("5511987650404", audit.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LGPD_Export_ByBsuid_IsTheSameCustomer()
    {
        var id = await ServeAsync();

        using var response = await factory.Supervisor().ExportAsync(new { userId = "BR.5511987650404" });

        var export = JsonDocument.Parse((await response.ReadArchiveAsync())["export.json"]).RootElement;
        Assert.Equal([id], export.GetProperty("conversations").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task LGPD_AdminChanges_AreAudited_WithWhoAndWhat()
    {
        var carla = factory.Supervisor();

        using var saved = await carla.PutAsJsonAsync("/api/agent/admin/qualifications/cancelamento", new { name = "Cancelamento" });
        using var refused = await factory.ClientFor("ana").PutAsJsonAsync("/api/agent/admin/qualifications/outra", new { name = "Outra" });

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var entry = Assert.Single(await factory.AuditAsync(), a => a.GetProperty("action").GetString() == "admin.change");
        Assert.Equal("agent:carla", entry.GetProperty("actor").GetString());
        Assert.Equal("PUT", entry.GetProperty("details").GetProperty("method").GetString());
        Assert.Equal("cancelamento", entry.GetProperty("details").GetProperty("ids").GetProperty("id").GetString());
    }

    [Fact]
    public async Task LGPD_Endpoints_AreInTheOpenApiDocument()
    {
        var document = (await factory.CreateClient().GetJsonAsync("/api/openapi/v1.json")).GetProperty("paths");

        foreach (var path in new[] { PrivacyDesk.Export, PrivacyDesk.Erasure, PrivacyDesk.Settings, PrivacyDesk.Audit })
        {
            Assert.True(document.TryGetProperty(path, out _), path);
        }
    }

    public void Dispose() => factory.Dispose();
}
