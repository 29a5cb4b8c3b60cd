//! RFC 9112's examples, checked against the RFC text and parsed by `h1-proto`.

use h1_proto::{Error, Framing, RequestParser};
use testvectors::rfc9112::{REQUEST_EXAMPLES, TRANSFER_ENCODING_EXAMPLE};
use testvectors::shared::rfc_text;

#[test]
fn examples_are_transcribed_from_the_rfc_text() {
    let Some(text) = rfc_text("rfc9112") else {
        return;
    };
    for example in REQUEST_EXAMPLES {
        let printed: Vec<String> = example.lines.iter().map(|l| format!("   {l}")).collect();
        assert!(
            text.contains(&(printed.join("\n") + "\n")),
            "§{}: {:?}",
            example.section,
            example.lines
        );
    }
    assert!(text.contains(&format!("   {TRANSFER_ENCODING_EXAMPLE}\n")));
}

#[test]
fn request_examples_parse_with_their_framing() {
    let mut parser = RequestParser::default();
    for example in REQUEST_EXAMPLES {
        let head = example.lines.join("\r\n") + "\r\n\r\n";
        parser.reset();
        match (parser.parse(head.as_bytes()), example.host) {
            (Ok(Some(parsed)), Some(host)) => {
                assert_eq!(parsed.head.method, example.method);
                assert_eq!(parsed.head.target, example.target);
                assert_eq!(parsed.head.fields.get("host"), Some(host.as_bytes()));
                assert_eq!(parsed.framing, Framing::Length(0));
                assert_eq!(parsed.head_len, head.len());
            }
            // §3.2: an HTTP/1.1 request without Host gets 400.
            (Err(error), None) => {
                assert_eq!(error, Error::InvalidHost, "§{}", example.section);
                assert_eq!(error.status(), 400);
            }
            (other, _) => panic!("§{}: {other:?}", example.section),
        }
    }
}

#[test]
fn transfer_encoding_example_is_chunked_framing() {
    let head = format!(
        "POST /upload HTTP/1.1\r\nHost: www.example.org\r\n{TRANSFER_ENCODING_EXAMPLE}\r\n\r\n"
    );
    let mut parser = RequestParser::default();
    let parsed = parser.parse(head.as_bytes()).unwrap().unwrap();
    assert_eq!(parsed.framing, Framing::Chunked);
}
