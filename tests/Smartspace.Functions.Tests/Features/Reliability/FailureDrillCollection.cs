using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Features.Reliability;

/// <summary>
/// The failure drills (a host killed mid-stream, the store stopped mid-load) run alone, after the parallel tests: each
/// measures how the product recovers, which the other tests' hosts competing for the same two cores would only blur (after
/// a crash, the Durable runtime's redelivery and its hidden early answers follow the machine's load).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FailureDrillCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Failure drills (alone)";
}
