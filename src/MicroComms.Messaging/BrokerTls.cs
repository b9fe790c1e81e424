using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace MicroComms.Messaging;

/// <summary>
/// How MicroComms checks a broker's TLS certificate, the same for the bus and for plain RabbitMQ.Client connections:
/// the name must match, and the chain must end at the machine's trusted roots, or at the one certificate authority
/// <see cref="RabbitMqOptions.TlsCaFile"/> names (only that one: a self-signed CA is trusted for this broker, not added
/// to what the whole machine trusts).
/// </summary>
internal static class BrokerTls
{
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    public static RemoteCertificateValidationCallback? Validation(string? caFile)
    {
        if (string.IsNullOrWhiteSpace(caFile))
        {
            return null;
        }

        // Read once, at configuration: a missing or unreadable file stops start-up here rather than failing every handshake.
        var authority = X509CertificateLoader.LoadCertificateFromFile(caFile);
        return (_, certificate, _, errors) =>
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            {
                // No certificate, or one for another name: no authority makes that right.
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var presented = new X509Certificate2(certificate);
            return chain.Build(presented);
        };
    }
}
