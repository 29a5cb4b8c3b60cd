//! HTTP/1.1 request-head parsing (RFC 9112 §2–§5) including the framing decision (§6.3), and
//! chunked-body decoding (§7.1): `h1-proto` against `httparse` on httparse's own benchmark
//! requests.

use crate::{Comparison, race};
use core::hint::black_box;
use h1_proto::{BodyDecoder, BodyEvent, Config, Framing, RequestParser};

/// httparse's `benches/parse.rs` request (720 bytes), byte for byte.
pub const KITTYHELL: &[u8] = b"\
GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n\
Host: www.kittyhell.com\r\n\
User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n\
Accept-Encoding: gzip,deflate\r\n\
Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n\
Keep-Alive: 115\r\n\
Connection: keep-alive\r\n\
Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; __utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; __utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|utmcct=/reader/|utmcmd=referral|padding=under256\r\n\r\n";

/// httparse's short benchmark request.
pub const SHORT: &[u8] =
    b"GET / HTTP/1.0\r\nHost: example.com\r\nCookie: session=60; user_id=1\r\n\r\n";

/// Parses `input` with our parser (reused, as httparse reuses its header array), deciding the
/// framing; returns head length + field count + framing, so nothing is optimized away.
pub fn parse_ours(parser: &mut RequestParser, input: &[u8]) -> u64 {
    parser.reset();
    match parser.parse(input) {
        Ok(Some(parsed)) => {
            let framing = match parsed.framing {
                Framing::Length(n) => n,
                _ => 1,
            };
            parsed.head_len as u64 + parsed.head.fields.len() as u64 + framing
        }
        _ => 0,
    }
}

/// Parses `input` with httparse (16 header slots, as in its benchmark).
pub fn parse_httparse(input: &[u8]) -> u64 {
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(input) {
        Ok(httparse::Status::Complete(len)) => len as u64 + request.headers.len() as u64,
        _ => 0,
    }
}

/// A chunked body of `chunks` chunks of `size` bytes with a last chunk and no trailers.
pub fn chunked_body(chunks: usize, size: usize) -> Vec<u8> {
    let mut body = Vec::new();
    for i in 0..chunks {
        body.extend_from_slice(format!("{size:x}\r\n").as_bytes());
        body.extend((0..size).map(|k| (i + k) as u8));
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    body
}

/// Decodes a chunked body with our decoder; returns the payload bytes seen.
pub fn chunked_ours(body: &[u8], config: &Config) -> u64 {
    let mut decoder = BodyDecoder::new(Framing::Chunked, config);
    let mut input = body;
    let mut total = 0u64;
    loop {
        match decoder.decode(input, true) {
            Ok((consumed, event)) => {
                match event {
                    BodyEvent::Data(d) => total += d.len() as u64,
                    BodyEvent::End => return total,
                    BodyEvent::NeedMore => return 0,
                    BodyEvent::Trailers(_) => {}
                }
                input = &input[consumed..];
            }
            Err(_) => return 0,
        }
    }
}

/// Decodes a chunked body with `httparse::parse_chunk_size` and the CRLF checks a caller must
/// add around it; returns the payload bytes seen.
pub fn chunked_httparse(body: &[u8]) -> u64 {
    let mut input = body;
    let mut total = 0u64;
    loop {
        match httparse::parse_chunk_size(input) {
            Ok(httparse::Status::Complete((offset, 0))) => {
                return if input.get(offset..offset + 2) == Some(b"\r\n") {
                    total
                } else {
                    0
                };
            }
            Ok(httparse::Status::Complete((offset, size))) => {
                let end = offset + size as usize;
                if input.get(end..end + 2) != Some(b"\r\n") {
                    return 0;
                }
                total += input[offset..end].len() as u64;
                input = &input[end + 2..];
            }
            _ => return 0,
        }
    }
}

/// `h1-parse` (both requests), `h1-parse-kittyhell`, `h1-parse-short` and `h1-chunked`.
pub fn compare() -> Vec<Comparison> {
    let mut parser = RequestParser::new(Config::default());
    for input in [KITTYHELL, SHORT] {
        assert!(
            parse_ours(&mut parser, input) > 0 && parse_httparse(input) > 0,
            "both parse"
        );
    }
    let mut lines = Vec::new();
    let mib = |bytes: usize| bytes as f64 / (1024.0 * 1024.0);
    let both = KITTYHELL.len() + SHORT.len();
    let (ours, theirs) = race(
        1,
        || {
            parse_ours(&mut parser, black_box(KITTYHELL))
                + parse_ours(&mut parser, black_box(SHORT))
        },
        || parse_httparse(black_box(KITTYHELL)) + parse_httparse(black_box(SHORT)),
    );
    lines.push(Comparison {
        name: "h1-parse".into(),
        peer: "httparse".into(),
        ours: ours * mib(both),
        theirs: theirs * mib(both),
        unit: "MiB/s".into(),
    });
    for (name, input) in [("h1-parse-kittyhell", KITTYHELL), ("h1-parse-short", SHORT)] {
        let (ours, theirs) = race(
            1,
            || parse_ours(&mut parser, black_box(input)),
            || parse_httparse(black_box(input)),
        );
        lines.push(Comparison {
            name: name.into(),
            peer: "httparse".into(),
            ours: ours / 1e6,
            theirs: theirs / 1e6,
            unit: "Mreq/s".into(),
        });
    }
    let body = chunked_body(64, 1024);
    let config = Config::default();
    assert_eq!(chunked_ours(&body, &config), 64 * 1024);
    assert_eq!(chunked_httparse(&body), 64 * 1024);
    let (ours, theirs) = race(
        1,
        || chunked_ours(black_box(&body), &config),
        || chunked_httparse(black_box(&body)),
    );
    lines.push(Comparison {
        name: "h1-chunked".into(),
        peer: "httparse".into(),
        ours: ours * mib(body.len()),
        theirs: theirs * mib(body.len()),
        unit: "MiB/s".into(),
    });
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benchmark_inputs_parse_on_both_sides() {
        assert_eq!(KITTYHELL.len(), 720);
        let mut parser = RequestParser::new(Config::default());
        parser.reset();
        let parsed = parser.parse(KITTYHELL).unwrap().unwrap();
        assert_eq!(parsed.head_len, 720);
        assert_eq!(parsed.head.fields.len(), 9);
        assert!(parsed.keep_alive);
        assert_eq!(parse_httparse(KITTYHELL), 720 + 9);
        let body = chunked_body(8, 100);
        assert_eq!(chunked_ours(&body, &Config::default()), 800);
        assert_eq!(chunked_httparse(&body), 800);
    }
}
