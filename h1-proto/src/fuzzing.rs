//! Entry points for the fuzz targets (`fuzz/fuzz_targets/h1_*.rs`); the same checks run as
//! proptests. Each drives a connection with arbitrary bytes in arbitrary splits and checks
//! that every split gives the same events as the whole input, with no panic and bounded work.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::{Body, ClientConnection, Config, Event, Field, Request, Response, ServerConnection};

/// An owned, comparable rendering of one event (consecutive data merged, since splits change
/// how data is cut).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Traced {
    /// A request head: method, target, version, fields.
    Request(String, String, String, Vec<(String, Vec<u8>)>),
    /// A response head (informational or final): status, fields.
    Response(u16, Vec<(String, Vec<u8>)>),
    /// Body bytes.
    Data(Vec<u8>),
    /// Trailer fields.
    Trailers(Vec<(String, Vec<u8>)>),
    /// End of a message.
    End,
    /// Protocol switch with the bytes after it.
    Switched(Vec<u8>),
    /// Clean close by the peer.
    Closed,
    /// A peer error, by name, with its status code.
    Error(String, u16),
}

fn fields(f: crate::Fields<'_>) -> Vec<(String, Vec<u8>)> {
    f.iter()
        .map(|f| (String::from(f.name), f.value.to_vec()))
        .collect()
}

fn push(trace: &mut Vec<Traced>, item: Traced) {
    if let (Some(Traced::Data(prev)), Traced::Data(more)) = (trace.last_mut(), &item) {
        prev.extend_from_slice(more);
        return;
    }
    trace.push(item);
}

/// Cuts `input` at the given offsets (taken modulo the length, any order).
pub fn split_points(input: &[u8], cuts: &[usize]) -> Vec<usize> {
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|c| {
            if input.is_empty() {
                0
            } else {
                c % (input.len() + 1)
            }
        })
        .collect();
    points.push(0);
    points.push(input.len());
    points.sort_unstable();
    points.dedup();
    points
}

/// The events a server reports for `input` delivered in pieces cut at `cuts`, answering each
/// request with an empty 200 so that pipelined requests are read, then EOF.
pub fn server_trace(input: &[u8], cuts: &[usize], config: &Config) -> Vec<Traced> {
    let mut conn = ServerConnection::new(config.clone());
    let mut trace = Vec::new();
    let points = split_points(input, cuts);
    let mut piece_index = 0;
    let mut backlog: Vec<u8> = Vec::new();
    loop {
        // Offer the backlog, then the next piece.
        if let (true, Some(&a), Some(&b)) = (
            backlog.is_empty(),
            points.get(piece_index),
            points.get(piece_index + 1),
        ) {
            backlog.extend_from_slice(input.get(a..b).unwrap_or_default());
            piece_index += 1;
        }
        let taken = conn.handle_input(&backlog);
        backlog.drain(..taken);
        let at_end = piece_index + 1 >= points.len() && backlog.is_empty();
        if at_end {
            conn.handle_eof();
        }
        let mut progressed = taken > 0;
        let mut answer = false;
        loop {
            match conn.poll_event() {
                Ok(Some(event)) => {
                    progressed = true;
                    match event {
                        Event::Request(head) => push(
                            &mut trace,
                            Traced::Request(
                                String::from(head.method),
                                String::from(head.target),
                                String::from(head.version.as_str()),
                                fields(head.fields),
                            ),
                        ),
                        Event::Data(d) => push(&mut trace, Traced::Data(d.to_vec())),
                        Event::Trailers(f) => push(&mut trace, Traced::Trailers(fields(f))),
                        Event::EndOfMessage => {
                            push(&mut trace, Traced::End);
                            answer = true;
                            break;
                        }
                        Event::Switched(rest) => {
                            // What the new protocol gets: the buffered rest, then everything
                            // not yet offered.
                            let mut all = rest.to_vec();
                            all.extend_from_slice(&backlog);
                            let offered = points.get(piece_index).copied().unwrap_or(input.len());
                            all.extend_from_slice(input.get(offered..).unwrap_or_default());
                            push(&mut trace, Traced::Switched(all));
                            return trace;
                        }
                        Event::Closed => {
                            push(&mut trace, Traced::Closed);
                            return trace;
                        }
                        Event::Informational(_) | Event::Response(_) => {}
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    push(&mut trace, Traced::Error(format!("{e:?}"), e.status()));
                    return trace;
                }
            }
        }
        if answer {
            let status = if conn.expects_continue() { 417 } else { 200 };
            let _ = conn.send_response(&Response::new(status, &[]), Body::Empty);
            let _ = conn.finish();
            let mut sink = [0u8; 4096];
            while conn.poll_transmit(&mut sink) > 0 {}
            if conn.should_close() {
                return trace;
            }
            continue;
        }
        if at_end && !progressed {
            return trace;
        }
        if !progressed && piece_index + 1 >= points.len() {
            return trace;
        }
    }
}

/// The events a client reports for `input` (the server's bytes) in pieces cut at `cuts`,
/// after sending the requests `methods` (pipelined; each a GET-like request with no body).
pub fn client_trace(
    input: &[u8],
    cuts: &[usize],
    methods: &[&str],
    config: &Config,
) -> Vec<Traced> {
    let mut conn = ClientConnection::new(config.clone());
    let host = [Field::new("Host", b"example.com")];
    for method in methods {
        if conn
            .send_request(&Request::new(method, "/", &host), Body::Empty)
            .is_err()
            || conn.finish().is_err()
        {
            break;
        }
    }
    let mut trace = Vec::new();
    let points = split_points(input, cuts);
    let mut pieces = points.windows(2).peekable();
    while let Some(window) = pieces.next() {
        let (Some(&a), Some(&b)) = (window.first(), window.get(1)) else {
            break;
        };
        let mut piece = input.get(a..b).unwrap_or_default();
        loop {
            let taken = conn.handle_input(piece);
            piece = piece.get(taken..).unwrap_or_default();
            if pieces.peek().is_none() && piece.is_empty() {
                conn.handle_eof();
            }
            loop {
                match conn.poll_event() {
                    Ok(Some(event)) => match event {
                        Event::Informational(h) | Event::Response(h) => {
                            push(&mut trace, Traced::Response(h.status, fields(h.fields)));
                        }
                        Event::Data(d) => push(&mut trace, Traced::Data(d.to_vec())),
                        Event::Trailers(f) => push(&mut trace, Traced::Trailers(fields(f))),
                        Event::EndOfMessage => push(&mut trace, Traced::End),
                        Event::Switched(rest) => {
                            let mut all = rest.to_vec();
                            all.extend_from_slice(piece);
                            all.extend_from_slice(input.get(b..).unwrap_or_default());
                            push(&mut trace, Traced::Switched(all));
                            return trace;
                        }
                        Event::Closed => {
                            push(&mut trace, Traced::Closed);
                            return trace;
                        }
                        Event::Request(_) => {}
                    },
                    Ok(None) => break,
                    Err(e) => {
                        push(&mut trace, Traced::Error(format!("{e:?}"), e.status()));
                        return trace;
                    }
                }
            }
            if piece.is_empty() || taken == 0 {
                break;
            }
        }
    }
    if input.is_empty() {
        conn.handle_eof();
        if let Ok(Some(Event::Closed)) = conn.poll_event() {
            push(&mut trace, Traced::Closed);
        }
    }
    trace
}

/// Splits fuzz input into (cut offsets, payload): the first byte says how many 2-byte cut
/// offsets follow.
fn cuts_and_payload(data: &[u8]) -> (Vec<usize>, &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return (Vec::new(), data);
    };
    let n = usize::from(n % 16);
    let cut_bytes = rest.len().min(n * 2);
    let (cuts, payload) = rest.split_at(cut_bytes);
    let cuts = cuts
        .chunks(2)
        .map(|c| {
            usize::from(c.first().copied().unwrap_or(0)) << 8
                | usize::from(c.get(1).copied().unwrap_or(0))
        })
        .collect();
    (cuts, payload)
}

/// Server fuzz target: arbitrary bytes in arbitrary splits give the same events as in one
/// piece (and byte by byte), with no panic.
pub fn server(data: &[u8]) {
    let (cuts, payload) = cuts_and_payload(data);
    for config in [Config::default(), lenient()] {
        let whole = server_trace(payload, &[], &config);
        let split = server_trace(payload, &cuts, &config);
        assert_eq!(whole, split, "split server input changed the events");
        if payload.len() <= 512 {
            let every: Vec<usize> = (0..payload.len()).collect();
            assert_eq!(
                whole,
                server_trace(payload, &every, &config),
                "byte-at-a-time"
            );
        }
    }
}

/// Client fuzz target: as `server`, for responses to pipelined GET, HEAD and GET requests.
pub fn client(data: &[u8]) {
    let (cuts, payload) = cuts_and_payload(data);
    let methods = ["GET", "HEAD", "GET"];
    for config in [Config::default(), lenient()] {
        let whole = client_trace(payload, &[], &methods, &config);
        let split = client_trace(payload, &cuts, &methods, &config);
        assert_eq!(whole, split, "split client input changed the events");
    }
}

fn lenient() -> Config {
    Config::default().with_leniency(crate::Leniency::all())
}

/// A request head as owned parts: method, target, minor version, fields.
pub type HeadParts = (String, String, u8, Vec<(String, Vec<u8>)>);

/// The standalone request parser on `data`, returning the method, target, minor version and
/// fields of a complete head (for differential checks against other parsers).
pub fn parse_request_head(data: &[u8]) -> Option<HeadParts> {
    let mut parser = crate::RequestParser::new(Config::default());
    let parsed = parser.parse(data).ok()??;
    let minor = match parsed.head.version {
        crate::Version::Http10 => 0,
        crate::Version::Http11 => 1,
    };
    Some((
        String::from(parsed.head.method),
        String::from(parsed.head.target),
        minor,
        fields(parsed.head.fields),
    ))
}

/// The SSE parser on `data` split at the given cuts gives the same events as in one piece.
pub fn sse(data: &[u8]) {
    let (cuts, payload) = cuts_and_payload(data);
    let run = |cuts: &[usize]| {
        let mut parser = crate::sse::SseParser::new();
        let points = split_points(payload, cuts);
        let mut events = Vec::new();
        for w in points.windows(2) {
            if let (Some(&a), Some(&b)) = (w.first(), w.get(1)) {
                if parser
                    .handle_input(payload.get(a..b).unwrap_or_default())
                    .is_err()
                {
                    return (events, true);
                }
                while let Some(e) = parser.poll_event() {
                    events.push(e);
                }
            }
        }
        (events, false)
    };
    assert_eq!(run(&[]), run(&cuts), "split SSE input changed the events");
}

/// Differential target: where httparse and our parser both accept a request head, they agree
/// on the method, target, version and every field.
#[cfg(feature = "differential")]
pub fn differential(data: &[u8]) {
    let ours = parse_request_head(data);
    let mut headers = [httparse::EMPTY_HEADER; 160];
    let mut request = httparse::Request::new(&mut headers);
    let theirs = match request.parse(data) {
        Ok(httparse::Status::Complete(_)) => Some((
            String::from(request.method.unwrap_or_default()),
            String::from(request.path.unwrap_or_default()),
            request.version.unwrap_or_default(),
            request
                .headers
                .iter()
                .map(|h| (String::from(h.name), h.value.to_vec()))
                .collect::<Vec<_>>(),
        )),
        _ => None,
    };
    if let (Some(ours), Some(theirs)) = (ours, theirs) {
        assert_eq!(ours, theirs, "h1-proto and httparse disagree");
    }
}
