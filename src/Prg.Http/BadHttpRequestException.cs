// Thrown by the parser for a request that must be refused; the connection answers with Status and closes.
namespace Prg.Http;

public sealed class BadHttpRequestException : Exception
{
    public BadHttpRequestException(RequestRejectionReason reason)
        : base(Describe(reason))
    {
        Reason = reason;
    }

    public RequestRejectionReason Reason { get; }

    public int StatusCode => StatusFor(Reason);

    public static int StatusFor(RequestRejectionReason reason) => reason switch
    {
        RequestRejectionReason.RequestLineTooLong => 414,
        RequestRejectionReason.HeadersTooLarge or RequestRejectionReason.TooManyHeaders => 431,
        RequestRejectionReason.UnsupportedHttpVersion => 505,
        RequestRejectionReason.BodyTooLarge => 413,
        RequestRejectionReason.RequestTimeout => 408,
        _ => 400,
    };

    public static string Describe(RequestRejectionReason reason) => reason switch
    {
        RequestRejectionReason.InvalidRequestLine => "malformed request line",
        RequestRejectionReason.InvalidRequestTarget => "invalid request target",
        RequestRejectionReason.RequestLineTooLong => "request line too long",
        RequestRejectionReason.UnsupportedHttpVersion => "http version not supported",
        RequestRejectionReason.InvalidHeaderLine => "malformed header",
        RequestRejectionReason.ObsoleteLineFolding => "obsolete header line folding is not allowed",
        RequestRejectionReason.HeadersTooLarge => "request header fields too large",
        RequestRejectionReason.TooManyHeaders => "too many header fields",
        RequestRejectionReason.MissingHost => "missing host header",
        RequestRejectionReason.MultipleHost => "multiple host headers",
        RequestRejectionReason.InvalidContentLength => "invalid content-length",
        RequestRejectionReason.MultipleContentLength => "conflicting content-length headers",
        RequestRejectionReason.ContentLengthWithTransferEncoding => "content-length together with transfer-encoding",
        RequestRejectionReason.UnsupportedTransferEncoding => "unsupported transfer-encoding",
        RequestRejectionReason.InvalidChunkedBody => "malformed chunked body",
        RequestRejectionReason.BodyTooLarge => "payload too large",
        RequestRejectionReason.UnexpectedEndOfRequestContent => "unexpected end of request content",
        RequestRejectionReason.RequestTimeout => "request timeout",
        _ => "bad request",
    };
}
