using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Smartspace.Core.Media;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Storage.Blobs;

namespace Smartspace.Functions.Tests.Features.Privacy;

/// <summary>
/// LGPD (issue 17) for stored media (issue 16): the export carries the file itself, erasure and retention remove the
/// file from the blob store (not only Meta's media id), and the agent API stops serving it.
/// </summary>
public abstract class MediaPrivacyContract : IDisposable
{
    private const string Typed = "11987650606";
    private static readonly byte[] Photo = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 2, 3, 4, 5, 0xFF, 0xD9];
    private readonly HandlerFactory factory;

    protected MediaPrivacyContract(HandlerFactory factory) => this.factory = factory;

    public void Dispose()
    {
        factory.Dispose();
        GC.SuppressFinalize(this);
    }

    private LedgerStore Ledger => factory.Get<LedgerStore>();

    /// <summary>The customer sends a photo Meta holds (id, mime type, sha256 as Meta writes it); returns the message once its file is stored.</summary>
    private async Task<MessageRow> CustomerSendsStoredPhotoAsync(string wamid, string mediaId, DateTimeOffset at)
    {
        factory.Media.Files[mediaId] = (Photo, "image/jpeg");
        var waId = "55" + Typed;
        var json = MetaPayloads.Envelope(HandlerFactory.ChannelId,
            "\"contacts\":[{\"profile\":{\"name\":\"Rita Midia\"},\"wa_id\":\"" + waId + "\"}]," +
            "\"messages\":[{\"from\":\"" + waId + "\",\"id\":\"" + wamid + "\",\"timestamp\":\"" + at.ToUnixTimeSeconds() + "\",\"type\":\"image\"," +
            "\"image\":{\"caption\":\"boleto\",\"mime_type\":\"image/jpeg\",\"sha256\":\"" + Convert.ToBase64String(SHA256.HashData(Photo)) + "\",\"id\":\"" + mediaId + "\"}}]");
        using var response = await factory.PostWebhookAsync(json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var conversation = await factory.CurrentConversationAsync(Typed);
        for (var i = 0; i < 200; i++)
        {
            var message = (await Ledger.GetMessagesAsync(HandlerFactory.TenantId, conversation.ConversationId, 0, CancellationToken.None)).Single(m => m.Wamid == wamid);
            if (message.MediaState == MediaStates.Stored)
            {
                Assert.NotNull(await factory.Get<IBlobStore>().GetAsync(message.MediaBlob!));
                return message;
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"The media of {wamid} was never stored.");
    }

    [Fact]
    public async Task LGPD_Export_IncludesTheStoredMediaFile()
    {
        var message = await CustomerSendsStoredPhotoAsync("wamid.media.exp.1", "880001", factory.Clock.GetUtcNow());

        using var response = await factory.Supervisor().ExportAsync(new { number = Typed });
        var archive = await response.ReadArchiveAsync();

        var file = Assert.Single(archive, e => e.Key.StartsWith($"media/{message.ConversationId}-{message.Seq}-", StringComparison.Ordinal) && !e.Key.EndsWith(".json", StringComparison.Ordinal));
        Assert.Equal(Photo, file.Value);
        using var export = JsonDocument.Parse(archive["export.json"]);
        var exported = export.RootElement.GetProperty("conversations")[0].GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("wamid").GetString() == "wamid.media.exp.1");
        Assert.Equal(file.Key, exported.GetProperty("mediaFile").GetString());
    }

    [Fact]
    public async Task LGPD_Erasure_RemovesTheStoredMediaFiles_AndTheAgentApiNoLongerServesThem()
    {
        var message = await CustomerSendsStoredPhotoAsync("wamid.media.era.1", "880002", factory.Clock.GetUtcNow());
        var blobs = factory.Get<IBlobStore>();
        Assert.Contains(message.MediaBlob!, await blobs.ListAsync(Keys.MediaBlobFolder(HandlerFactory.TenantId)));
        await factory.FinishCurrentAsync(Typed, null, null);

        using var erased = await factory.Supervisor().EraseAsync(new { number = Typed });
        var result = await erased.ReadJsonAsync();
        Assert.True(erased.StatusCode == HttpStatusCode.OK, result.ToString());
        Assert.Equal(1, result.GetProperty("media").GetInt32());

        Assert.Empty(await blobs.ListAsync(Keys.MediaBlobFolder(HandlerFactory.TenantId)));
        Assert.Null(await blobs.GetAsync(message.MediaBlob!));
        using var fetch = await factory.Supervisor().GetAsync($"/api/agent/conversations/{message.ConversationId}/messages/{message.OurMessageId}/media");
        Assert.Equal(HttpStatusCode.NotFound, fetch.StatusCode);
        Assert.Equal("application/problem+json", fetch.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task LGPD_Retention_RemovesStoredMediaOlderThanTheSetting_KeepsTheMessage()
    {
        var t = factory.Clock.GetUtcNow();
        var old = await CustomerSendsStoredPhotoAsync("wamid.media.ret.1", "880003", t);
        var recent = await CustomerSendsStoredPhotoAsync("wamid.media.ret.2", "880004", t.AddDays(2));
        using (var settings = await factory.Supervisor().PutAsJsonAsync(PrivacyDesk.Settings, new { messageRetentionDays = 30, mediaRetentionDays = 20 }))
        {
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        }

        factory.Clock.Advance(TimeSpan.FromDays(20) + TimeSpan.FromSeconds(1));
        using (var run = await factory.CreateClient().PostAsync("/api/local/timers/retention", content: null))
        {
            Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        }

        var blobs = factory.Get<IBlobStore>();
        Assert.Null(await blobs.GetAsync(old.MediaBlob!));
        Assert.NotNull(await blobs.GetAsync(recent.MediaBlob!));
        var messages = await Ledger.GetMessagesAsync(HandlerFactory.TenantId, old.ConversationId, 0, CancellationToken.None);
        Assert.Equal("removed", messages.Single(m => m.Seq == old.Seq).MediaState);
        Assert.Equal(MediaStates.Stored, messages.Single(m => m.Seq == recent.Seq).MediaState);

        using var fetch = await factory.Supervisor().GetAsync($"/api/agent/conversations/{old.ConversationId}/messages/{old.OurMessageId}/media");
        await fetch.AssertProblemAsync(HttpStatusCode.NotFound, "media_unavailable");
    }
}

/// <summary>The media LGPD contract on Azure Table Storage (Azurite): the fetch's claims and settles are ETag-guarded there too.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MediaPrivacyOnAzuriteTests(Smartspace.Testing.AzuriteFixture azurite) : MediaPrivacyContract(new HandlerFactory(azurite.ConnectionString));
