using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace MicroComms.Host.WebConsole;

/// <summary>
/// The operator web console: Razor Pages under <c>/console</c> on their own Kestrel endpoint, behind a cookie login with
/// anti-forgery on every change. The Host adds it when <c>--services</c> names <c>console</c> (or <c>all</c>).
/// </summary>
public static class WebConsoleRegistration
{
    public const string CookieScheme = "MicroComms.Console";

    public const string PathBase = "/console";

    /// <summary>The console's address when it is to listen, else null (<c>MicroComms:Console:Url</c> set to "").</summary>
    public static string? Url(IConfiguration configuration, MicroCommsHostOptions host)
    {
        var configured = configuration[$"{ConsoleOptions.SectionName}:{nameof(ConsoleOptions.Url)}"];
        if (configured is not null)
        {
            return string.IsNullOrWhiteSpace(configured) ? null : configured;
        }

        // A process whose own addresses ask for a free port (tests, a second instance) must not collide on the fixed default.
        var freePort = host.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .All(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Port == 0);
        return freePort ? "http://127.0.0.1:0" : ConsoleOptions.DefaultUrl;
    }

    public static IServiceCollection AddWebConsole(this IServiceCollection services, IConfiguration configuration, string url)
    {
        services.AddOptions<ConsoleOptions>()
            .Bind(configuration.GetSection(ConsoleOptions.SectionName))
            .PostConfigure(o => o.Url = url)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var password = ConsolePassword.From(configuration.GetSection(ConsoleOptions.SectionName).Get<ConsoleOptions>() is { } bound
            ? WithUrl(bound, url)
            : new ConsoleOptions { Url = url });
        services.AddSingleton(password);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<ConsoleBroker>();
        services.AddSingleton<ConsoleStores>();
        services.AddSingleton<ConsoleEndpoint>();
        services.AddExceptionHandler<ConsoleExceptionHandler>();

        services.AddOptions<KestrelServerOptions>().Configure<ConsoleEndpoint>((kestrel, endpoint) =>
            kestrel.Configure(configuration.GetSection("Kestrel"), reloadOnChange: false)
                .Endpoint(ConsoleEndpoint.KestrelName, e => endpoint.Attach(e.ListenOptions)));

        services.AddAuthentication(CookieScheme).AddCookie(CookieScheme, _ => { });
        services.AddOptions<CookieAuthenticationOptions>(CookieScheme).Configure<IOptions<ConsoleOptions>>((cookie, console) =>
        {
            cookie.Cookie.Name = "MicroComms.Console";
            cookie.Cookie.Path = PathBase;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.LoginPath = PathBase + "/login";
            cookie.LogoutPath = PathBase + "/logout";
            cookie.AccessDeniedPath = PathBase + "/login";
            cookie.ExpireTimeSpan = console.Value.SessionLifetime;
            cookie.SlidingExpiration = true;
            cookie.Events.OnRedirectToLogin = context =>
            {
                // A page asked for is sent to the login; a change asked for without a login is refused, never redirected into.
                if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                {
                    context.Response.Redirect(context.RedirectUri);
                }
                else
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                }

                return Task.CompletedTask;
            };
        });
        services.AddAuthorization();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "MicroComms.Console.Antiforgery";
            o.Cookie.Path = PathBase;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddRazorPages(o =>
            {
                o.RootDirectory = "/WebConsole/Pages";
                o.Conventions.AuthorizeFolder("/");
                o.Conventions.AllowAnonymousToPage("/Login");
            })
            .ConfigureApplicationPartManager(parts =>
            {
                // The pages are compiled into this assembly; a test process's entry assembly is not this one.
                var assembly = typeof(WebConsoleRegistration).Assembly;
                if (parts.ApplicationParts.All(p => p.Name != assembly.GetName().Name))
                {
                    foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(assembly).GetApplicationParts(assembly))
                    {
                        parts.ApplicationParts.Add(part);
                    }
                }
            });
        return services;
    }

    /// <summary>Keeps the console's routes on its endpoint and everything else off it, then the login and the pages.</summary>
    public static WebApplication UseWebConsole(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var consolePath = context.Request.Path.StartsWithSegments(PathBase);
            if (ConsoleEndpoint.IsConsoleConnection(context) != consolePath)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet(PathBase, () => Results.Redirect(PathBase + "/queues")).AllowAnonymous();
        app.MapGet(PathBase + "/assets/{name}", ConsoleAssets.Serve).AllowAnonymous();
        app.MapRazorPages();
        return app;
    }

    private static ConsoleOptions WithUrl(ConsoleOptions options, string url)
    {
        options.Url = url;
        return options;
    }
}
