namespace Smartspace.Core.Media;

/// <summary>The state of a customer's media file as the agent sees it.</summary>
public static class MediaStates
{
    /// <summary>Not fetched from Meta yet (or being retried).</summary>
    public const string Pending = "pending";

    /// <summary>Stored in our blob store: the agent can open it.</summary>
    public const string Stored = "stored";

    /// <summary>Meta cannot deliver it (expired id, 131052, too large, checksum never matched): final.</summary>
    public const string Unavailable = "unavailable";
}

/// <summary>What one attempt to fetch a customer's media from Meta ended with.</summary>
public enum MediaFetchResult
{
    Stored,

    /// <summary>Meta no longer serves the id (404 / unknown object / 131052): retrying cannot help.</summary>
    Gone,

    /// <summary>Over Meta's limit for its kind (or Meta says so): retrying cannot help.</summary>
    TooLarge,

    /// <summary>The bytes did not match Meta's sha256: a fresh URL may help, a few times.</summary>
    ChecksumMismatch,

    /// <summary>Network failure, timeout, throttling, 5xx: retry later.</summary>
    Transient,
}

/// <summary>What to do after an attempt.</summary>
public abstract record MediaFetchDecision
{
    public sealed record Done : MediaFetchDecision;

    public sealed record RetryAt(DateTimeOffset At, int NextAttempt) : MediaFetchDecision;

    public sealed record GiveUp(string Reason) : MediaFetchDecision;
}

/// <summary>
/// The retry rule of inbound media (A-Frame: pure, tested without mocks). A bounded, spaced series of attempts — so a
/// media id Meta no longer serves ends "unavailable" after one call, and a flaky Graph API is never stormed — and
/// nothing is fetched after Meta's 7-day id lifetime.
/// </summary>
public static class MediaFetchRules
{
    /// <summary>Pauses before attempts 2, 3, …: 30 s, 2 min, 10 min, 30 min, 2 h. Six attempts in all.</summary>
    public static readonly IReadOnlyList<TimeSpan> Backoff =
        [TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2)];

    public static int MaxAttempts => Backoff.Count + 1;

    /// <summary>Checksum mismatches tolerated before giving up (each retry asks Meta for a fresh URL).</summary>
    public const int MaxChecksumMismatches = 2;

    /// <summary>True when Meta can no longer serve the id (older than 7 days): give up without calling.</summary>
    public static bool Expired(DateTimeOffset receivedAt, DateTimeOffset now) => now - receivedAt >= MediaRules.InboundIdLifetime;

    /// <param name="attempt">The attempt that just ended, 1-based.</param>
    /// <param name="mismatches">Checksum mismatches so far, this attempt included.</param>
    public static MediaFetchDecision Decide(MediaFetchResult result, int attempt, int mismatches, DateTimeOffset receivedAt, DateTimeOffset now)
    {
        switch (result)
        {
            case MediaFetchResult.Stored:
                return new MediaFetchDecision.Done();
            case MediaFetchResult.Gone:
                return new MediaFetchDecision.GiveUp("gone");
            case MediaFetchResult.TooLarge:
                return new MediaFetchDecision.GiveUp("too_large");
            case MediaFetchResult.ChecksumMismatch when mismatches >= MaxChecksumMismatches:
                return new MediaFetchDecision.GiveUp("checksum_mismatch");
        }

        if (attempt >= MaxAttempts)
        {
            return new MediaFetchDecision.GiveUp("retries_exhausted");
        }

        var at = now + Backoff[Math.Clamp(attempt - 1, 0, Backoff.Count - 1)];
        return Expired(receivedAt, at) ? new MediaFetchDecision.GiveUp("expired") : new MediaFetchDecision.RetryAt(at, attempt + 1);
    }
}
