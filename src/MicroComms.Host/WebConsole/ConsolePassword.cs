using System.Net;
using Microsoft.AspNetCore.Identity;

namespace MicroComms.Host.WebConsole;

/// <summary>
/// The operator password, checked against a hash (ASP.NET Core Identity's PBKDF2 format, so nothing readable is kept
/// at rest). Without a configured hash the development password is accepted, but only on a loopback address, as the
/// broker's development password is.
/// </summary>
public sealed class ConsolePassword
{
    /// <summary>Accepted when no hash is configured and the console listens on loopback only; documented, never printed.</summary>
    public const string DevelopmentPassword = "microcomms-console";

    private static readonly PasswordHasher<ConsolePassword> Hasher = new();

    private readonly string _hash;

    private ConsolePassword(string hash) => _hash = hash;

    /// <summary>The password check for <paramref name="options"/>; a non-loopback console without a hash stops start-up.</summary>
    public static ConsolePassword From(ConsoleOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.PasswordHash))
        {
            return new ConsolePassword(options.PasswordHash.Trim());
        }

        if (!IsLoopback(options.Url))
        {
            throw new HostConfigurationException(
                $"The console listens on {options.Url}, off loopback, without MicroComms:Console:PasswordHash: set one "
                + "(make it with 'microcomms console hash-password'), or keep MicroComms:Console:Url on 127.0.0.1.");
        }

        return new ConsolePassword(Hash(DevelopmentPassword));
    }

    public static string Hash(string password) => Hasher.HashPassword(null!, password);

    public bool Verify(string password) =>
        password.Length > 0 && Hasher.VerifyHashedPassword(null!, _hash, password) != PasswordVerificationResult.Failed;

    private static bool IsLoopback(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(uri.Host, out var address) && IPAddress.IsLoopback(address));
    }
}
