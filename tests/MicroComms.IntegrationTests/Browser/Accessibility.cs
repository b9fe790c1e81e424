using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace MicroComms.IntegrationTests.Browser;

/// <summary>What a browser can check of a page's accessibility: axe-core's rules, and every action reachable by Tab.</summary>
public static class Accessibility
{
    // What a person can act on: links, buttons, form fields, disclosure widgets and anything given a tab stop or a widget role.
    private const string Interactive =
        "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1']), "
        + "[role=button], [role=link], [role=checkbox], [role=tab], [role=menuitem], [onclick]";

    /// <summary>axe-core's violations on the page as it is now, one line each: rule, impact, selector, what failed.</summary>
    public static async Task<IReadOnlyList<string>> ViolationsAsync(IPage page)
    {
        var result = await page.RunAxe();
        return result.Violations
            .SelectMany(rule => rule.Nodes.Select(node => $"{rule.Id} ({rule.Impact}) at {node.Target}: {rule.Help} {node.Html}".ReplaceLineEndings(" ")))
            .ToList();
    }

    /// <summary>
    /// The interactive elements (enabled and visible) that pressing Tab from the top of the page never focuses, as their
    /// HTML. Tab is pressed at most twice per element plus a few, so a focus trap ends the walk instead of hanging it.
    /// </summary>
    public static async Task<IReadOnlyList<string>> UnreachableByKeyboardAsync(IPage page)
    {
        var count = await page.EvaluateAsync<int>(
            """
            selector => {
              let n = 0;
              for (const e of document.querySelectorAll(selector)) {
                const visible = e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
                if (visible && !e.disabled) e.setAttribute('data-a11y-tab', String(n++));
              }
              document.activeElement?.blur();
              return n;
            }
            """,
            Interactive);

        var focused = new HashSet<string>(StringComparer.Ordinal);
        for (var presses = 0; presses < (2 * count) + 5 && focused.Count < count; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            var mark = await page.EvaluateAsync<string?>("() => document.activeElement?.getAttribute('data-a11y-tab') ?? null");
            if (mark is not null)
            {
                focused.Add(mark);
            }
        }

        return await page.EvaluateAsync<string[]>(
            """
            reached => [...document.querySelectorAll('[data-a11y-tab]')]
              .filter(e => !reached.includes(e.getAttribute('data-a11y-tab')))
              .map(e => e.outerHTML.slice(0, 200))
            """,
            focused.ToArray());
    }

    /// <summary>Fails with every axe violation and every action Tab cannot reach, named by <paramref name="pageName"/>.</summary>
    public static async Task AssertAccessibleAsync(IPage page, string pageName)
    {
        var violations = await ViolationsAsync(page);
        var unreachable = await UnreachableByKeyboardAsync(page);
        var problems = violations.Concat(unreachable.Select(html => "not reachable by Tab: " + html)).ToList();
        Assert.True(problems.Count == 0, $"{pageName} ({page.Url}) has {problems.Count} accessibility problem(s):\n" + string.Join('\n', problems));
    }
}
