using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Features.Conversations;

/// <summary>
/// One Azurite process shared by the engine's Azure-Tables tests (concurrency, expiry across instances,
/// several handler processes). Each test uses its own table prefix, so they never see each other's rows.
/// </summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite: conversation engine";
}
