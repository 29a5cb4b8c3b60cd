//! RFC 9112 (HTTP/1.1) examples, transcribed from the RFC text: the request lines of §3.2's
//! request-target forms and §3.3's target-URI examples, and §6.1's Transfer-Encoding example.
//! `tests/h1_rfc9112.rs` checks each against the RFC text and runs it through `h1-proto`.

/// One request head printed in the RFC, line by line (without line endings).
#[derive(Debug, Clone, Copy)]
pub struct RequestExample {
    /// Where the RFC prints it.
    pub section: &'static str,
    /// The lines exactly as printed (the RFC indents them by three spaces).
    pub lines: &'static [&'static str],
    /// The method.
    pub method: &'static str,
    /// The request target.
    pub target: &'static str,
    /// The Host field value, when the example has one. An HTTP/1.1 request without it must be
    /// answered with 400 (§3.2).
    pub host: Option<&'static str>,
}

/// The request examples of RFC 9112 §3.2 and §3.3.
pub const REQUEST_EXAMPLES: &[RequestExample] = &[
    RequestExample {
        section: "3.2.1",
        lines: &["GET /where?q=now HTTP/1.1", "Host: www.example.org"],
        method: "GET",
        target: "/where?q=now",
        host: Some("www.example.org"),
    },
    RequestExample {
        section: "3.2.2",
        lines: &["GET http://www.example.org/pub/WWW/TheProject.html HTTP/1.1"],
        method: "GET",
        target: "http://www.example.org/pub/WWW/TheProject.html",
        host: None,
    },
    RequestExample {
        section: "3.2.3",
        lines: &[
            "CONNECT www.example.com:80 HTTP/1.1",
            "Host: www.example.com",
        ],
        method: "CONNECT",
        target: "www.example.com:80",
        host: Some("www.example.com"),
    },
    RequestExample {
        section: "3.2.4",
        lines: &["OPTIONS http://www.example.org:8001 HTTP/1.1"],
        method: "OPTIONS",
        target: "http://www.example.org:8001",
        host: None,
    },
    RequestExample {
        section: "3.2.4",
        lines: &["OPTIONS * HTTP/1.1", "Host: www.example.org:8001"],
        method: "OPTIONS",
        target: "*",
        host: Some("www.example.org:8001"),
    },
    RequestExample {
        section: "3.3",
        lines: &[
            "GET /pub/WWW/TheProject.html HTTP/1.1",
            "Host: www.example.org",
        ],
        method: "GET",
        target: "/pub/WWW/TheProject.html",
        host: Some("www.example.org"),
    },
    RequestExample {
        section: "3.3",
        lines: &["OPTIONS * HTTP/1.1", "Host: www.example.org:8080"],
        method: "OPTIONS",
        target: "*",
        host: Some("www.example.org:8080"),
    },
];

/// RFC 9112 §6.1: gzip, then chunked as the final coding.
pub const TRANSFER_ENCODING_EXAMPLE: &str = "Transfer-Encoding: gzip, chunked";
