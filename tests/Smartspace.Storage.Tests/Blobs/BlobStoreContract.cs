using System.Text;
using Smartspace.Storage.Blobs;
using Smartspace.Testing;

namespace Smartspace.Storage.Tests.Blobs;

/// <summary>One contract for the media file store port (STYLE §9), run against every adapter: the folder and Azure Blob Storage (Azurite).</summary>
public abstract class BlobStoreContract
{
    protected abstract IBlobStore Store { get; }

    private static string Name(string file) => $"t{Guid.NewGuid():N}/conv1/{file}";

    [Fact]
    public async Task Media_PutThenGet_ReturnsTheSameBytesAndContentType()
    {
        var bytes = Encoding.UTF8.GetBytes("%PDF-1.4 contrato");
        var name = Name("00000001");
        await Store.PutAsync(name, new MemoryStream(bytes), "application/pdf");

        await using var stored = await Store.GetAsync(name);
        Assert.NotNull(stored);
        using var copy = new MemoryStream();
        await stored.Content.CopyToAsync(copy);
        Assert.Equal(bytes, copy.ToArray());
        Assert.Equal("application/pdf", stored.ContentType);
        Assert.Equal(bytes.Length, stored.Length);
    }

    [Fact]
    public async Task Media_PutTwice_TheSecondReplacesTheFirst()
    {
        var name = Name("00000002");
        await Store.PutAsync(name, new MemoryStream([1, 2, 3]), "image/png");
        await Store.PutAsync(name, new MemoryStream([9]), "image/jpeg");

        await using var stored = await Store.GetAsync(name);
        using var copy = new MemoryStream();
        await stored!.Content.CopyToAsync(copy);
        Assert.Equal([9], copy.ToArray());
        Assert.Equal("image/jpeg", stored.ContentType);
    }

    [Fact]
    public async Task Media_Delete_RemovesTheFile_AndIsIdempotent()
    {
        var name = Name("00000003");
        await Store.PutAsync(name, new MemoryStream([1]), "audio/ogg");

        Assert.True(await Store.DeleteAsync(name));
        Assert.Null(await Store.GetAsync(name));
        Assert.False(await Store.DeleteAsync(name));
        Assert.Null(await Store.GetAsync(Name("never-written")));
    }

    [Fact]
    public async Task Media_List_ReturnsTheFilesUnderAFolderOnly()
    {
        var folder = $"t{Guid.NewGuid():N}/";
        await Store.PutAsync(folder + "a/1", new MemoryStream([1]), "image/png");
        await Store.PutAsync(folder + "b/2", new MemoryStream([2]), "image/png");
        await Store.PutAsync(Name("elsewhere"), new MemoryStream([3]), "image/png");

        Assert.Equal([folder + "a/1", folder + "b/2"], await Store.ListAsync(folder));
        Assert.Equal([folder + "a/1"], await Store.ListAsync(folder + "a/"));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a//b")]
    [InlineData("a/b c")]
    public async Task Media_NameOutsideTheStore_IsRefusedBeforeAnyWrite(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(name, new MemoryStream([1]), "image/png"));
    }
}

public sealed class AzureBlobStoreTests : BlobStoreContract, IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    public AzureBlobStoreTests(AzuriteFixture azurite) => Store = new AzureBlobStore(new StorageOptions
    {
        BlobsConnectionString = azurite.ConnectionString,
        MediaContainer = "media" + Guid.NewGuid().ToString("N")[..12],
    });

    protected override IBlobStore Store { get; }

    public Task InitializeAsync() => Store.EnsureAsync();

    public Task DisposeAsync() => Task.CompletedTask;
}
