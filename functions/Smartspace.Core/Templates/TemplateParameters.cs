namespace Smartspace.Core.Templates;

/// <summary>Media for a template's IMAGE/VIDEO/DOCUMENT header: a public link or an uploaded media id.</summary>
public sealed record TemplateMedia
{
    private TemplateMedia(string? link, string? mediaId)
    {
        Link = link;
        MediaId = mediaId;
    }

    public string? Link { get; }

    public string? MediaId { get; }

    public static TemplateMedia FromLink(string link) =>
        string.IsNullOrWhiteSpace(link) ? throw new ArgumentException("A media link is required.", nameof(link)) : new(link.Trim(), null);

    public static TemplateMedia FromId(string mediaId) =>
        string.IsNullOrWhiteSpace(mediaId) ? throw new ArgumentException("A media id is required.", nameof(mediaId)) : new(null, mediaId.Trim());
}

/// <summary>
/// The values an agent supplies to send a template: header media or header text value, body values (a positional
/// list for <c>{{1}}…</c> templates or a named map for <c>{{nome}}</c> templates) and dynamic URL button values.
/// </summary>
public sealed record TemplateParameters
{
    public static readonly TemplateParameters Empty = new();

    /// <summary>Image/video/document for a media header.</summary>
    public TemplateMedia? HeaderMedia { get; init; }

    /// <summary>Value for the single variable of a text header.</summary>
    public string? HeaderText { get; init; }

    /// <summary>Body values in template order (positional templates).</summary>
    public IReadOnlyList<string> BodyPositional { get; init; } = [];

    /// <summary>Body values by variable name (named templates); order does not matter.</summary>
    public IReadOnlyDictionary<string, string> BodyNamed { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Values for URL buttons with a variable, by button index (0-based).</summary>
    public IReadOnlyDictionary<int, string> UrlButtonValues { get; init; } = new Dictionary<int, string>();

    public static TemplateParameters Positional(params string[] values) => new() { BodyPositional = values };

    public static TemplateParameters Named(IReadOnlyDictionary<string, string> values) =>
        new() { BodyNamed = new Dictionary<string, string>(values, StringComparer.Ordinal) };

    public TemplateParameters WithHeaderImageLink(string link) => this with { HeaderMedia = TemplateMedia.FromLink(link) };

    public TemplateParameters WithHeaderMediaId(string mediaId) => this with { HeaderMedia = TemplateMedia.FromId(mediaId) };
}
