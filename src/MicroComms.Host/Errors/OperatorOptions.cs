using System.ComponentModel.DataAnnotations;
using System.Net.Http.Headers;
using System.Text;

namespace MicroComms.Host.Errors;

/// <summary>
/// The broker user the operator commands (<c>errors</c>) connect as, bound from <c>MicroComms:Operator</c>. Listing a
/// virtual host's queues over the management API needs management rights, which the services' own user is not given;
/// the defaults are the operator user the rabbitmq/ scripts' node defines.
/// </summary>
public sealed class OperatorOptions
{
    public const string SectionName = "Operator";

    [Required]
    public string Username { get; set; } = "microcomms-operator";

    [Required]
    public string Password { get; set; } = "microcomms-operator";

    /// <summary>The management API's Basic authentication for this user.</summary>
    public AuthenticationHeaderValue BasicAuthentication() =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}")));
}
