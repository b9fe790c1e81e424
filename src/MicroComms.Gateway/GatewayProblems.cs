using Microsoft.AspNetCore.Http;

namespace MicroComms.Gateway;

/// <summary>Problem-details answers more than one endpoint gives.</summary>
public static class GatewayProblems
{
    /// <summary>
    /// 504: the service did not answer within the bound. <c>retrySafe</c> tells the client whether asking again can
    /// do harm, because the request may still be processed.
    /// </summary>
    public static IResult NoAnswer(string service, bool retrySafe, string detail, IDictionary<string, object?> extensions)
    {
        var all = new Dictionary<string, object?>(extensions) { ["retrySafe"] = retrySafe };
        return Results.Problem(
            statusCode: StatusCodes.Status504GatewayTimeout,
            title: $"{service} did not answer in time.",
            detail: detail,
            extensions: all);
    }
}
