namespace Smartspace.Meta.Sending;

/// <summary>Meta error codes this code acts on (reference §7) and how each is handled.</summary>
public static class MetaErrorCodes
{
    public const int AuthFailure = 0;
    public const int AccessTokenExpired = 190;
    public const int ThroughputReached = 130429;
    public const int UnknownError = 131000;
    public const int Undeliverable = 131026;
    public const int ReEngagement = 131047;
    public const int SpamRateLimit = 131048;
    public const int EcosystemEngagement = 131049;
    public const int MarketingOptOut = 131050;
    public const int PairRateLimit = 131056;
    public const int MaintenanceMode = 131057;
    public const int TemplateParameterCount = 132000;
    public const int TemplateNotFound = 132001;
    public const int TemplateParameterFormat = 132012;
    public const int TemplatePaused = 132015;
    public const int TemplateDisabled = 132016;
    public const int ManagementRateLimit = 80007;
    public const int AppRateLimit = 4;

    /// <summary>Longest delay any <see cref="RejectionKind.RetryLater"/> asks for.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Classifies an error the Graph API answered (synchronously, or in a <c>failed</c> status) for the
    /// <paramref name="attempt"/>-th try (0-based).
    /// </summary>
    public static RejectionKind Classify(int? code, int? httpStatus, int attempt)
    {
        if (code is { } c)
        {
            switch (c)
            {
                case PairRateLimit:
                case ThroughputReached:
                case MaintenanceMode:
                case UnknownError:
                case ManagementRateLimit:
                case AppRateLimit:
                    return new RejectionKind.RetryLater(RetryDelay(c, attempt));
                case ReEngagement:
                case Undeliverable:
                case EcosystemEngagement:
                case MarketingOptOut:
                case TemplateParameterCount:
                case TemplateNotFound:
                case TemplateParameterFormat:
                case TemplatePaused:
                case TemplateDisabled:
                case SpamRateLimit:
                case AuthFailure:
                case AccessTokenExpired:
                    return RejectionKind.Permanent;
            }
        }

        if (httpStatus is 401 or 403)
        {
            return RejectionKind.Permanent;
        }

        if (httpStatus is 429 or >= 500)
        {
            return new RejectionKind.RetryLater(RetryDelay(code, attempt));
        }

        // Any other answered 4xx with an unknown code: the request was understood and refused.
        return RejectionKind.Permanent;
    }

    /// <summary>
    /// Meta pacing per code: pair rate limit 4^X s (X = attempt); throughput and unknown errors 2^(X+1) s;
    /// maintenance (≤ 1 min per Meta) 30 s; management limits 60 s. Capped at <see cref="MaxRetryDelay"/>.
    /// </summary>
    public static TimeSpan RetryDelay(int? code, int attempt)
    {
        var x = Math.Clamp(attempt, 0, 20);
        var seconds = code switch
        {
            PairRateLimit => Math.Pow(4, x),
            MaintenanceMode => 30,
            ManagementRateLimit or AppRateLimit => 60,
            _ => Math.Pow(2, x + 1),
        };

        return TimeSpan.FromSeconds(Math.Min(seconds, MaxRetryDelay.TotalSeconds));
    }
}
