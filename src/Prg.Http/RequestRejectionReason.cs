// Every way the server refuses a request, each mapped to exactly one status code (Kestrel's model).
namespace Prg.Http;

public enum RequestRejectionReason : byte
{
    InvalidRequestLine,
    InvalidRequestTarget,
    RequestLineTooLong,
    UnsupportedHttpVersion,
    InvalidHeaderLine,
    ObsoleteLineFolding,
    HeadersTooLarge,
    TooManyHeaders,
    MissingHost,
    MultipleHost,
    InvalidContentLength,
    MultipleContentLength,
    ContentLengthWithTransferEncoding,
    UnsupportedTransferEncoding,
    InvalidChunkedBody,
    BodyTooLarge,
    UnexpectedEndOfRequestContent,
    RequestTimeout,
}
