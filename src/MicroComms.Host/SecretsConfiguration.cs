namespace MicroComms.Host;

/// <summary>
/// Secrets from a folder of files, one setting per file (Docker and Kubernetes secrets, <c>/run/secrets</c>): the file
/// <c>MicroComms__RabbitMq__Password</c> holds <c>MicroComms:RabbitMq:Password</c>. The folder is named by
/// <c>MicroComms:SecretsDirectory</c> (appsettings.json or the environment); its files win over appsettings.json and the
/// environment, so production keeps passwords out of both.
/// </summary>
internal static class SecretsConfiguration
{
    public const string DirectoryKey = "MicroComms:SecretsDirectory";

    /// <summary>Adds the folder <paramref name="current"/> names, if any; a folder that is named but missing stops start-up.</summary>
    public static IConfigurationBuilder AddMicroCommsSecrets(this IConfigurationBuilder builder, IConfiguration current)
    {
        var directory = current[DirectoryKey];
        if (string.IsNullOrWhiteSpace(directory))
        {
            return builder;
        }

        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
        {
            throw new HostConfigurationException(
                $"{DirectoryKey} names '{full}', which is not a folder: create it with one file per secret (e.g. MicroComms__RabbitMq__Password), or unset it.");
        }

        return builder.AddKeyPerFile(full, optional: false);
    }
}
