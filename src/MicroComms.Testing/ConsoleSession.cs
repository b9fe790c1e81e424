using System.Net;
using System.Text.RegularExpressions;

namespace MicroComms.Testing;

/// <summary>
/// An operator's browser for the web console, at HTTP level: a cookie jar, no automatic redirects (so a test sees
/// each 302), the login form, and posts that carry the anti-forgery token of the page they come from, as a form does.
/// </summary>
public sealed partial class ConsoleSession : IDisposable
{
    private readonly HttpClient _http;

    public ConsoleSession(Uri consoleAddress)
    {
        Cookies = new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false, UseCookies = true })
        {
            BaseAddress = new Uri(consoleAddress.GetLeftPart(UriPartial.Authority)),
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public CookieContainer Cookies { get; }

    public HttpClient Http => _http;

    /// <summary>Opens the login page and posts <paramref name="password"/> with its token; the answer (302 when right).</summary>
    public async Task<HttpResponseMessage> LogInAsync(string password)
    {
        var token = await TokenAsync("/console/login");
        return await _http.PostAsync("/console/login", new FormUrlEncodedContent([new("password", password), new("__RequestVerificationToken", token)]));
    }

    public async Task<(HttpStatusCode Status, string Html)> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Posts <paramref name="fields"/> to <paramref name="path"/> with the token of the page at <paramref name="from"/>.</summary>
    public async Task<HttpResponseMessage> PostAsync(string from, string path, params (string Name, string Value)[] fields)
    {
        var token = await TokenAsync(from);
        return await PostWithoutTokenAsync(path, [.. fields, ("__RequestVerificationToken", token)]);
    }

    public Task<HttpResponseMessage> PostWithoutTokenAsync(string path, params (string Name, string Value)[] fields) =>
        _http.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))));

    /// <summary>Follows a redirect the way a browser would after a POST: a GET of its location.</summary>
    public async Task<(HttpStatusCode Status, string Html)> FollowAsync(HttpResponseMessage redirect)
    {
        if (redirect.StatusCode != HttpStatusCode.Redirect || redirect.Headers.Location is not { } location)
        {
            throw new InvalidOperationException($"Expected a redirect, got {(int)redirect.StatusCode}: {await redirect.Content.ReadAsStringAsync()}");
        }

        return await GetAsync(location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString);
    }

    /// <summary>The text of the page's <c>role="alert"</c> and <c>role="status"</c> elements, HTML-decoded.</summary>
    public static IReadOnlyList<string> Messages(string html) =>
        [.. MessagePattern().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value).Trim())];

    private async Task<string> TokenAsync(string path)
    {
        var (status, html) = await GetAsync(path);
        var match = TokenPattern().Match(html);
        return match.Success
            ? match.Groups[1].Value
            : throw new InvalidOperationException($"No anti-forgery token on {path} ({(int)status}).");
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("role=\"(?:alert|status)\">(.*?)</div>", RegexOptions.Singleline)]
    private static partial Regex MessagePattern();
}
