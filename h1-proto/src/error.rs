//! Errors: what the peer did wrong (each with the status code a server answers with) and what
//! the local caller did wrong.

/// A violation by the peer. Fatal for the connection: it is sticky, nothing after it is read,
/// and the connection must close once any response is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The head is larger than `Config::max_head_size` (RFC 6585 §5: 431).
    #[error("message head larger than the configured limit")]
    HeadTooLarge,
    /// More field lines than `Config::max_fields` (431).
    #[error("more header fields than the configured limit")]
    TooManyFields,
    /// The request line is not `method SP request-target SP HTTP-version` (RFC 9112 §3).
    #[error("malformed request line")]
    InvalidRequestLine,
    /// The method is not a token (RFC 9110 §9.1).
    #[error("method is not a token")]
    InvalidMethod,
    /// The request target holds a character outside the visible ASCII range (RFC 9112 §3.2).
    #[error("invalid request target")]
    InvalidTarget,
    /// The version is not `HTTP/DIGIT.DIGIT` (RFC 9112 §2.3).
    #[error("malformed HTTP version")]
    InvalidVersion,
    /// A major version other than 1 (RFC 9110 §15.6.6: 505).
    #[error("unsupported HTTP major version")]
    UnsupportedVersion,
    /// The status line is not `HTTP-version SP 3DIGIT SP reason` (RFC 9112 §4).
    #[error("malformed status line")]
    InvalidStatusLine,
    /// A field name that is empty or not a token (RFC 9110 §5.1).
    #[error("invalid field name")]
    InvalidFieldName,
    /// Whitespace between a field name and the colon (RFC 9112 §5.1).
    #[error("whitespace before the colon of a field line")]
    WhitespaceBeforeColon,
    /// A field line without a colon.
    #[error("field line without a colon")]
    MissingColon,
    /// Line folding (obs-fold, RFC 9112 §5.2) where it is not accepted.
    #[error("obsolete line folding")]
    ObsFold,
    /// A control character (NUL included) where none is allowed (RFC 9110 §5.5).
    #[error("control character in the message head")]
    ControlCharacter,
    /// A CR not followed by LF (RFC 9112 §2.2).
    #[error("bare CR")]
    BareCr,
    /// A LF not preceded by CR where CRLF is required (RFC 9112 §2.2, §7.1).
    #[error("bare LF")]
    BareLf,
    /// Content-Length is not a decimal number, or holds differing values (RFC 9112 §6.3).
    #[error("invalid Content-Length")]
    InvalidContentLength,
    /// Content-Length and Transfer-Encoding together (RFC 9112 §6.1, rejected in strict mode).
    #[error("both Content-Length and Transfer-Encoding")]
    ContentLengthWithTransferEncoding,
    /// A request's Transfer-Encoding does not end in chunked, applies chunked twice, or is not a
    /// list of tokens (RFC 9112 §6.3).
    #[error("invalid Transfer-Encoding")]
    InvalidTransferEncoding,
    /// A transfer coding this implementation does not know (RFC 9112 §6.1: 501).
    #[error("unknown transfer coding")]
    UnknownTransferCoding,
    /// Transfer-Encoding in an HTTP/1.0 message (RFC 9112 §6.1: framing is faulty).
    #[error("Transfer-Encoding in an HTTP/1.0 message")]
    TransferEncodingInHttp10,
    /// An HTTP/1.1 request without exactly one Host field (RFC 9112 §3.2).
    #[error("HTTP/1.1 request without exactly one Host")]
    InvalidHost,
    /// A chunk size that is empty, not hexadecimal, or does not fit 64 bits (RFC 9112 §7.1).
    #[error("invalid chunk size")]
    InvalidChunkSize,
    /// A malformed chunk extension (RFC 9112 §7.1.1).
    #[error("invalid chunk extension")]
    InvalidChunkExtension,
    /// A chunk line or the extensions of a message beyond the configured limits.
    #[error("chunk extensions larger than the configured limit")]
    ChunkExtensionTooLarge,
    /// Chunk data not followed by CRLF (RFC 9112 §7.1).
    #[error("chunk data not followed by CRLF")]
    InvalidChunkEnd,
    /// The trailer section is larger than `Config::max_trailer_size`.
    #[error("trailer section larger than the configured limit")]
    TrailersTooLarge,
    /// A response arrived with no request outstanding, or bytes arrived where none may.
    #[error("unexpected bytes from the peer")]
    UnexpectedData,
    /// A 101 response to a request that asked for no upgrade (RFC 9110 §15.2.2).
    #[error("101 Switching Protocols without an Upgrade request")]
    UnexpectedSwitch,
    /// The connection closed in the middle of a message.
    #[error("connection closed in the middle of a message")]
    IncompleteMessage,
}

impl Error {
    /// The status code a server answers this error with (RFC 9110 §15).
    pub fn status(&self) -> u16 {
        match self {
            Error::HeadTooLarge | Error::TooManyFields => 431,
            Error::UnknownTransferCoding => 501,
            Error::UnsupportedVersion => 505,
            _ => 400,
        }
    }
}

/// A misuse of the API by the local caller; the connection state is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// The command is not allowed in the connection's current state.
    #[error("not allowed in the current state")]
    WrongState,
    /// A field name that is not a token or a value with CR, LF or NUL.
    #[error("invalid field")]
    InvalidField,
    /// A method or target that cannot be sent.
    #[error("invalid method or request target")]
    InvalidRequestLine,
    /// A status code outside 100..=999 or a wrong class for the command.
    #[error("invalid status code for this command")]
    InvalidStatus,
    /// Content-Length or Transfer-Encoding given as a field; the framing is chosen from `Body`.
    #[error("framing fields are generated from the body size")]
    FramingField,
    /// An HTTP/1.1 request without exactly one Host field (RFC 9112 §3.2).
    #[error("HTTP/1.1 request without exactly one Host")]
    MissingHost,
    /// More body bytes than the declared length, or a body where none may be sent.
    #[error("body longer than declared")]
    BodyTooLong,
    /// Finished before the declared length was sent.
    #[error("body shorter than declared")]
    BodyTooShort,
    /// Trailers on a message that is not chunked.
    #[error("trailers need chunked coding")]
    TrailersNotAllowed,
    /// A 1xx response to an HTTP/1.0 client (RFC 9110 §15.2).
    #[error("1xx response to an HTTP/1.0 client")]
    InformationalToHttp10,
}
