namespace MicroComms.Contracts;

/// <summary>
/// What a SKU or a customer id may be, one rule for every service that accepts one (the gateway, Orders, Inventory's
/// restock): 1 to <see cref="MaxLength"/> characters, each a letter, digit, punctuation, symbol or plain space. It lives
/// with the contracts because it is part of what the messages carry, not a service's own policy.
/// </summary>
public static class Identifiers
{
    /// <summary>The width every store gives these columns.</summary>
    public const int MaxLength = 64;

    /// <summary>The rule in words, for answers that refuse an identifier.</summary>
    public const string Rule = "1 to 64 printable characters (letters, digits, punctuation, symbols, spaces).";

    public static bool IsValid(string? value) =>
        !string.IsNullOrWhiteSpace(value)
        && value.Length <= MaxLength
        && value.All(c => c == ' ' || char.IsLetterOrDigit(c) || char.IsPunctuation(c) || char.IsSymbol(c));
}
