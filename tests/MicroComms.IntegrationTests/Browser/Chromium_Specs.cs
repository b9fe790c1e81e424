namespace MicroComms.IntegrationTests.Browser;

/// <summary>The browser helpers themselves: they must find what they are there to find, or a clean console page proves nothing.</summary>
[Trait("Needs", "Browser")]
public sealed class Chromium_Specs(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Axe_in_debians_chromium_reports_a_checkbox_without_a_label_and_a_text_below_the_contrast_ratio()
    {
        var page = await browser.Browser.NewPageAsync();
        await page.SetContentAsync(
            """
            <!doctype html><html lang="en"><head><title>Bad page</title></head>
            <body><main><h1>Bad page</h1>
              <input type="checkbox" id="pick">
              <p style="color:#bbb;background:#fff">Hard to read</p>
            </main></body></html>
            """);

        var violations = await Accessibility.ViolationsAsync(page);

        Assert.Contains(violations, v => v.StartsWith("label ", StringComparison.Ordinal) && v.Contains("#pick", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("color-contrast ", StringComparison.Ordinal));
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_keyboard_walk_names_an_action_that_Tab_skips_and_passes_a_page_whose_actions_it_reaches()
    {
        var page = await browser.Browser.NewPageAsync();
        await page.SetContentAsync(
            """
            <!doctype html><html lang="en"><head><title>Actions</title></head>
            <body><main><h1>Actions</h1>
              <a href="#top">Top</a>
              <label><input type="checkbox"> Pick</label>
              <button type="button">Replay</button>
              <span role="button" onclick="void 0">Purge</span>
            </main></body></html>
            """);

        var unreachable = await Accessibility.UnreachableByKeyboardAsync(page);
        var skipped = Assert.Single(unreachable);
        Assert.Contains("Purge", skipped, StringComparison.Ordinal);

        await page.EvaluateAsync("() => document.querySelector('[role=button]').tabIndex = 0");
        Assert.Empty(await Accessibility.UnreachableByKeyboardAsync(page));
        await page.CloseAsync();
    }
}
