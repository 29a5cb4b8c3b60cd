//! RFC 9218 extensible priorities: the Priority Field Value parser (RFC 8941 Dictionary
//! grammar), the send schedule as seen on the wire (exact DATA frame order), PRIORITY_UPDATE
//! and SETTINGS_NO_RFC7540_PRIORITIES validation, and client-side signalling.

mod common;

use common::script::*;
use h2_proto::connection::{Limits, PREFACE};
use h2_proto::frame::{self, Frame, StreamId, kind, setting};
use h2_proto::priority::{Params, Priority};
use h2_proto::{Config, Connection, ErrorCode, Event, Field, HeadersKind, Reason, UserError};
use proptest::prelude::*;
use qpack_hpack::hpack;

// ------------------------------------------------------------------ parser

fn p(u: u8, i: bool) -> Priority {
    Priority::new(u, i)
}

#[test]
fn rfc9218_examples() {
    // §4.1, §4.2, §8's request, and §8's response merged into it.
    assert_eq!(Priority::parse(b"u=0"), p(0, false));
    assert_eq!(Priority::parse(b"u=5, i"), p(5, true));
    let response = Params::parse(b"u=1").unwrap();
    assert_eq!(
        response,
        Params {
            urgency: Some(1),
            incremental: None
        }
    );
    assert_eq!(Priority::parse(b"u=5, i").merged(response), p(1, true));
    // §4: "When receiving an HTTP request that does not carry these priority parameters, a
    // server SHOULD act as if their default values were specified."
    assert_eq!(Priority::parse(b""), p(3, false));
    assert_eq!(Priority::default(), p(3, false));
}

/// Valid Dictionaries: RFC 9218 §4's rules on what they hold.
#[test]
fn valid_dictionaries() {
    let cases: &[(&str, Priority)] = &[
        ("u=7", p(7, false)),
        ("i", p(3, true)),
        ("i=?1", p(3, true)),
        ("i=?0", p(3, false)),
        ("u=0, i=?1", p(0, true)),
        ("i, u=2", p(2, true)),
        // Out of range or of another type: ignored (§4).
        ("u=8", p(3, false)),
        ("u=-1, i", p(3, true)),
        ("u=-0", p(0, false)),
        ("u=1.0, i", p(3, true)),
        ("u=\"1\", i", p(3, true)),
        ("u=a, i", p(3, true)),
        ("u=?1, i", p(3, true)),
        ("u=:AQ==:, i", p(3, true)),
        ("u=(1), i", p(3, true)),
        ("u=1, i=1", p(1, false)),
        ("u=1, i=(?1)", p(1, false)),
        ("u=1, i=\"?1\"", p(1, false)),
        // A key seen twice keeps its last value (RFC 8941 §4.2.2), even an ignored one.
        ("u=2, u=5", p(5, false)),
        ("u=1, u=9", p(3, false)),
        ("i, i=?0", p(3, false)),
        ("i=?0, i", p(3, true)),
        // Parameters on members are ignored.
        ("u=1;a=b;c, i;x=?0", p(1, true)),
        ("u=1; a=1.5;b, i", p(1, true)),
        // Unknown keys of every type.
        (
            "x=1, u=2, y=(a b);q, z, *w=tok/a:b, n=-12.345, s=\"a\\\"b\\\\\", b=:aGk=:",
            p(2, false),
        ),
        ("u=6, e=()", p(6, false)),
        ("u=6, e=( 1  2 )", p(6, false)),
        // Whitespace (RFC 8941 §4.2): leading and trailing SP, OWS around commas.
        ("   u=1", p(1, false)),
        ("u=1   ", p(1, false)),
        ("u=1 ,\ti", p(1, true)),
        ("u=1\t,  i ", p(1, true)),
        ("   ", p(3, false)),
        // Integer length limit: 15 digits.
        ("u=000000000000004, i", p(4, true)),
        ("u=0, x=123456789012.123", p(0, false)),
    ];
    for (value, expected) in cases {
        assert_eq!(Priority::parse(value.as_bytes()), *expected, "{value:?}");
        assert!(Params::parse(value.as_bytes()).is_ok(), "{value:?}");
    }
}

/// Not a Dictionary: the defaults, never an error (each case starts with valid `u=0, i` or
/// ends with it, so that a parser that stops early would give something else).
#[test]
fn malformed_means_defaults() {
    let cases: &[&str] = &[
        "u=0, i,",                   // trailing comma
        "u=0,, i",                   // empty member
        "u=0 i",                     // missing comma
        "\tu=0, i",                  // leading HTAB (only SP is discarded at the start)
        "u=0, i\t\t,",               // trailing comma after OWS
        "U=0, i",                    // uppercase key
        "u =0, i",                   // space before "="
        "u= 0, i",                   // space after "="
        "u=0, 1i",                   // key starting with a digit
        "u=0, i;",                   // parameter without key
        "u=0, i;A",                  // parameter key uppercase
        "u=0, i=",                   // "=" without value
        "u=0, i=?2",                 // Boolean other than ?0/?1
        "u=0, i=?",                  // Boolean cut short
        "u=0, x=-, i",               // sign without digits
        "u=0, x=1., i",              // Decimal ending in "."
        "u=0, x=1.2345, i",          // Decimal with 4 fraction digits
        "u=0, x=1234567890123.1, i", // Decimal with 13 integer digits
        "u=0000000000000001, i",     // Integer with 16 digits
        "u=0, x=\"a, i",             // unterminated String
        "u=0, x=\"a\\nb\", i",       // bad escape
        "u=0, x=\"\u{e9}\", i",      // non-ASCII in a String
        "u=0, x=\"a\tb\", i",        // control character in a String
        "u=0, x=:ab!:, i",           // bad Byte Sequence character
        "u=0, x=:YWI=, i",           // unterminated Byte Sequence
        "u=0, x=(1 2, i",            // unterminated Inner List
        "u=0, x=(1,2), i",           // comma in an Inner List
        "u=0, x=(1)(2), i",          // junk after an Inner List
        "u=0, x=@1659578233, i",     // Date (RFC 9651, not RFC 8941)
        "u=0, x=%\"a\", i",          // Display String (RFC 9651, not RFC 8941)
        "u=0, x=#, i",               // no Bare Item starts with "#"
        "u=0, \u{fc}=1, i",          // non-ASCII key
        "u=0, i, \u{80}",            // non-ASCII garbage
    ];
    for value in cases {
        assert!(Params::parse(value.as_bytes()).is_err(), "{value:?}");
        assert_eq!(
            Priority::parse(value.as_bytes()),
            Priority::DEFAULT,
            "{value:?}"
        );
    }
    assert!(Params::parse(b"u=0, i\xff").is_err());
    assert_eq!(Params::parse(b"u=0,, i").unwrap_err().offset, 4);
}

#[test]
fn several_field_lines_are_one_value() {
    let lines = |l: &[&'static str]| Priority::parse_lines(l.iter().map(|s| s.as_bytes()));
    assert_eq!(lines(&[]), Priority::DEFAULT);
    assert_eq!(lines(&["u=1"]), p(1, false));
    assert_eq!(lines(&["u=1", "i"]), p(1, true));
    assert_eq!(lines(&["u=1", "u=2", "i=?1"]), p(2, true));
    // Joined, an empty line is a trailing comma: not a Dictionary.
    assert_eq!(lines(&["u=1", ""]), Priority::DEFAULT);
}

#[test]
fn serializer() {
    assert_eq!(p(3, false).field_value().as_str(), "");
    assert!(p(3, false).field_value().is_empty());
    assert_eq!(p(0, false).field_value().as_str(), "u=0");
    assert_eq!(p(3, true).field_value().as_str(), "i");
    assert_eq!(p(5, true).field_value().as_bytes(), b"u=5, i");
    assert_eq!(p(5, true).to_string(), "u=5, i");
    assert_eq!(Priority::new(9, false), p(7, false));
    let wild = Priority {
        urgency: 200,
        incremental: false,
    };
    assert_eq!(wild.field_value().as_str(), "u=7");
    for u in 0..=7 {
        for i in [false, true] {
            assert_eq!(Priority::parse(p(u, i).field_value().as_bytes()), p(u, i));
        }
    }
}

proptest! {
    #[test]
    fn parser_never_panics(value in proptest::collection::vec(any::<u8>(), 0..64)) {
        let parsed = Priority::parse(&value);
        prop_assert!(parsed.urgency <= 7);
    }

    /// The `h2_priority` fuzz target's checks.
    #[test]
    fn fuzz_target_checks(value in proptest::collection::vec(any::<u8>(), 0..48)) {
        h2_proto::fuzzing::priority_field(&value);
    }

    #[test]
    fn fuzz_target_checks_on_dictionary_like_input(value in "[ui=?01,;() \t\"a-z*:.-]{0,24}") {
        h2_proto::fuzzing::priority_field(value.as_bytes());
    }

    #[test]
    fn parser_on_dictionary_like_input(value in "[ui=?01,;() \t\"a-z*:.-]{0,24}") {
        let strict = Params::parse(value.as_bytes());
        let parsed = Priority::parse(value.as_bytes());
        if strict.is_err() {
            prop_assert_eq!(parsed, Priority::DEFAULT);
        }
    }

    #[test]
    fn serialized_priorities_parse_back(u in 0u8..8, i: bool, extra in "(, [a-z]{2,3}=[0-9]{1,3}){0,3}") {
        let mut value = p(u, i).field_value().as_str().to_owned();
        if value.is_empty() {
            value.push('x');
        }
        value.push_str(&extra);
        prop_assert_eq!(Priority::parse(value.as_bytes()), p(u, i));
    }
}

// ------------------------------------------------------------------ wire helpers

fn priority_update(prioritized: u32, value: &str) -> Vec<u8> {
    enc(&Frame::PriorityUpdate {
        prioritized_id: StreamId::new(prioritized),
        field_value: value.as_bytes(),
    })
}

/// A PRIORITY_UPDATE written by hand: on any stream, naming any stream.
fn raw_priority_update(on_stream: u32, prioritized: u32, value: &str) -> Vec<u8> {
    let len = 4 + value.len();
    let mut v = vec![0, 0, len as u8, 0x10, 0];
    v.extend(on_stream.to_be_bytes());
    v.extend(prioritized.to_be_bytes());
    v.extend(value.as_bytes());
    v
}

/// DATA frames as (stream, length, END_STREAM).
fn data_frames(frames: &[Out]) -> Vec<(u32, usize, bool)> {
    frames
        .iter()
        .filter(|f| f.kind == kind::DATA)
        .map(|f| {
            (
                f.stream,
                f.payload.len(),
                f.flags & frame::flags::END_STREAM != 0,
            )
        })
        .collect()
}

/// The scripted client's HPACK encoder.
struct Peer {
    enc: hpack::Encoder,
}

impl Peer {
    fn new() -> Self {
        Self {
            enc: hpack::Encoder::default(),
        }
    }

    /// A GET on `stream`, with a `priority` field when `priority` is not empty.
    fn get(&mut self, stream: u32, priority: &str) -> Vec<u8> {
        let mut fields = vec![
            Field::new(b":method", b"GET"),
            Field::new(b":scheme", b"https"),
            Field::new(b":authority", b"a.example"),
            Field::new(b":path", b"/"),
        ];
        if !priority.is_empty() {
            fields.push(Field::new(b"priority", priority.as_bytes()));
        }
        let mut block = Vec::new();
        self.enc.encode(fields, &mut block);
        enc(&Frame::Headers {
            stream_id: StreamId::new(stream),
            end_stream: true,
            end_headers: true,
            padding: None,
            priority: None,
            fragment: &block,
        })
    }
}

/// A server after the preface, the client's `client_settings`, and the SETTINGS exchange;
/// the client also opens the connection window wide.
fn server_with(config: Config, client_settings: &[(u16, u32)]) -> (Connection, Peer) {
    let mut conn = Connection::server(config, T0);
    let mut input = PREFACE.to_vec();
    input.extend(settings(client_settings));
    input.extend(settings_ack());
    input.extend(window_update(0, (1 << 30) - 65_535));
    conn.handle_input(&input, T0).unwrap();
    output(&mut conn);
    events(&mut conn);
    (conn, Peer::new())
}

fn server() -> (Connection, Peer) {
    server_with(Config::default(), &[])
}

/// Answers `stream` with 200 and `len` body bytes (all accepted by the windows).
fn respond(conn: &mut Connection, stream: u32, len: usize) {
    let id = StreamId::new(stream);
    conn.send_headers(id, [Field::new(b":status", b"200")], false)
        .unwrap();
    let body = vec![b'x'; len];
    assert_eq!(conn.send_data(id, &body, true).unwrap(), len);
}

fn expect_conn_error(conn: &mut Connection, input: &[u8], code: ErrorCode, reason: Reason) {
    let err = common::script::expect_conn_error(conn, input, code);
    assert_eq!(err.reason, reason, "{err:?}");
}

const FRAME: usize = 16_384;

// ------------------------------------------------------------------ schedule on the wire

/// Urgency first; at one urgency the incremental streams round-robin with the non-incremental
/// group taking one turn, and the non-incremental streams one after the other by id.
#[test]
fn data_order_follows_urgency_and_incremental() {
    let (mut conn, mut peer) = server();
    let requests = [
        (1, "u=5"),
        (3, "u=1, i"),
        (5, "u=1, i"),
        (7, "u=1"),
        (9, ""),
        (11, "u=1"),
        (13, "u=0"),
    ];
    let mut input = Vec::new();
    for (stream, priority) in requests {
        input.extend(peer.get(stream, priority));
    }
    conn.handle_input(&input, T0).unwrap();
    events(&mut conn);
    for (stream, _) in requests {
        let len = if stream == 13 { 100 } else { 2 * FRAME };
        respond(&mut conn, stream, len);
    }
    let frames = output(&mut conn);
    // Every HEADERS goes out before any DATA: the schedule only orders DATA.
    let first_data = frames.iter().position(|f| f.kind == kind::DATA).unwrap();
    assert!(
        frames[..first_data]
            .iter()
            .filter(|f| f.kind == kind::HEADERS)
            .count()
            == 7
    );
    let order: Vec<(u32, bool)> = data_frames(&frames)
        .into_iter()
        .map(|(s, _, end)| (s, end))
        .collect();
    assert_eq!(
        order,
        [
            (13, true),
            (3, false),
            (5, false),
            (7, false),
            (3, true),
            (5, true),
            (7, true),
            (11, false),
            (11, true),
            (9, false),
            (9, true),
            (1, false),
            (1, true),
        ]
    );
    assert!(
        data_frames(&frames)
            .iter()
            .all(|&(_, len, _)| len == FRAME || len == 100)
    );
}

/// Non-incremental streams of one urgency: one finishes before the next starts, in stream id
/// order whatever order the application queued them in.
#[test]
fn non_incremental_streams_finish_one_by_one_in_id_order() {
    let (mut conn, mut peer) = server();
    let mut input = Vec::new();
    for stream in [1, 3, 5] {
        input.extend(peer.get(stream, ""));
    }
    conn.handle_input(&input, T0).unwrap();
    for stream in [5, 1, 3] {
        respond(&mut conn, stream, 3 * FRAME);
    }
    let order: Vec<u32> = data_frames(&output(&mut conn))
        .into_iter()
        .map(|(s, _, _)| s)
        .collect();
    assert_eq!(order, [1, 1, 1, 3, 3, 3, 5, 5, 5]);
}

/// A more urgent stream blocked by its flow-control window does not hold up a less urgent
/// one that can send; it goes first again once its window opens.
#[test]
fn blocked_urgent_stream_does_not_starve_others() {
    let (mut conn, mut peer) =
        server_with(Config::default(), &[(setting::INITIAL_WINDOW_SIZE, 1000)]);
    let mut input = peer.get(1, "u=0");
    input.extend(peer.get(3, "u=7"));
    conn.handle_input(&input, T0).unwrap();
    events(&mut conn);
    respond(&mut conn, 1, 1000);
    respond(&mut conn, 3, 1000);
    // Stream 3 gets more window, then every window shrinks by 1000: stream 1's is 0, 3's 500.
    let mut input = window_update(3, 500);
    input.extend(settings(&[(setting::INITIAL_WINDOW_SIZE, 0)]));
    conn.handle_input(&input, T0).unwrap();
    assert_eq!(data_frames(&output(&mut conn)), [(3, 500, false)]);
    // Stream 1's window opens: it is served first again.
    let mut input = window_update(3, 500);
    input.extend(window_update(1, 1000));
    conn.handle_input(&input, T0).unwrap();
    assert_eq!(
        data_frames(&output(&mut conn)),
        [(1, 1000, true), (3, 500, true)]
    );
}

/// Small windows: each WINDOW_UPDATE releases one chunk per stream, served by urgency.
#[test]
fn small_windows_serve_each_round_by_urgency() {
    let (mut conn, mut peer) =
        server_with(Config::default(), &[(setting::INITIAL_WINDOW_SIZE, 100)]);
    let mut input = Vec::new();
    for (stream, priority) in [(1, "u=6"), (3, "u=2"), (5, "u=4, i"), (7, "u=4, i")] {
        input.extend(peer.get(stream, priority));
    }
    conn.handle_input(&input, T0).unwrap();
    for stream in [1, 3, 5, 7] {
        respond(&mut conn, stream, 100);
    }
    let order: Vec<u32> = data_frames(&output(&mut conn))
        .into_iter()
        .map(|(s, _, _)| s)
        .collect();
    assert_eq!(order, [3, 5, 7, 1]);
}

// ------------------------------------------------------------------ signals

/// The `priority` request field sets the initial priority; PRIORITY_UPDATE overrides it, also
/// one received while the stream was idle; the server application can override both.
#[test]
fn header_then_priority_update_then_application() {
    let (mut conn, mut peer) = server();
    let s = StreamId::new;
    let mut input = peer.get(1, "u=6");
    input.extend(priority_update(3, "u=0, i"));
    input.extend(peer.get(3, "u=6"));
    input.extend(peer.get(5, ""));
    conn.handle_input(&input, T0).unwrap();
    assert_eq!(conn.priority(s(1)), Some(p(6, false)));
    assert_eq!(
        conn.priority(s(3)),
        Some(p(0, true)),
        "the idle stream's update wins"
    );
    assert_eq!(conn.priority(s(5)), Some(Priority::DEFAULT));
    assert_eq!(conn.remembered_idle_priorities(), 0);

    // Data queued for 1 and 5, then 5 is made more urgent by the client, 1 by the server.
    respond(&mut conn, 1, 2 * FRAME);
    respond(&mut conn, 5, 2 * FRAME);
    conn.handle_input(&priority_update(5, "u=1"), T0).unwrap();
    assert_eq!(conn.priority(s(5)), Some(p(1, false)));
    conn.set_priority(s(1), p(0, false)).unwrap();
    let order: Vec<u32> = data_frames(&output(&mut conn))
        .into_iter()
        .map(|(s, _, _)| s)
        .collect();
    assert_eq!(order, [1, 1, 5, 5]);

    // A malformed value means the defaults; a later update overrides the application's.
    conn.handle_input(&priority_update(3, "u=0,,"), T0).unwrap();
    assert_eq!(conn.priority(s(3)), Some(Priority::DEFAULT));
    assert_eq!(
        conn.set_priority(s(1), p(1, false)),
        Err(UserError::UnknownStream(s(1)))
    );
    // Closed streams' updates are dropped without an error.
    conn.handle_input(&priority_update(1, "u=2"), T0).unwrap();
    assert!(conn.error().is_none());
}

#[test]
fn priority_update_must_be_on_stream_zero() {
    let (mut conn, _) = server();
    expect_conn_error(
        &mut conn,
        &raw_priority_update(1, 1, "u=0"),
        ErrorCode::PROTOCOL_ERROR,
        Reason::BadStreamId,
    );
}

#[test]
fn priority_update_for_stream_zero_is_an_error() {
    let (mut conn, _) = server();
    expect_conn_error(
        &mut conn,
        &raw_priority_update(0, 0, "u=0"),
        ErrorCode::PROTOCOL_ERROR,
        Reason::BadStreamId,
    );
}

#[test]
fn priority_update_too_short_is_a_frame_size_error() {
    let (mut conn, _) = server();
    let frame = [0, 0, 3, 0x10, 0, 0, 0, 0, 0, 0, 0, 1];
    let err = conn.handle_input(&frame, T0).unwrap_err();
    assert_eq!(err.code, ErrorCode::FRAME_SIZE_ERROR);
}

#[test]
fn priority_update_received_by_a_client_is_an_error() {
    let mut conn = Connection::client(Config::default(), T0);
    output(&mut conn);
    let mut input = settings(&[]);
    input.extend(settings_ack());
    conn.handle_input(&input, T0).unwrap();
    let fields = [
        Field::new(b":method", b"GET"),
        Field::new(b":scheme", b"https"),
        Field::new(b":authority", b"a.example"),
        Field::new(b":path", b"/"),
    ];
    conn.send_request(fields, true).unwrap();
    output(&mut conn);
    expect_conn_error(
        &mut conn,
        &priority_update(1, "u=0"),
        ErrorCode::PROTOCOL_ERROR,
        Reason::BadPriorityUpdate,
    );
}

#[test]
fn priority_update_for_an_idle_push_stream_is_an_error() {
    let (mut conn, _) = server();
    expect_conn_error(
        &mut conn,
        &priority_update(2, "u=0"),
        ErrorCode::PROTOCOL_ERROR,
        Reason::BadPriorityUpdate,
    );
}

/// RFC 9218 §7.1: prioritized idle streams plus active ones within
/// SETTINGS_MAX_CONCURRENT_STREAMS.
#[test]
fn idle_priorities_count_toward_the_concurrency_limit() {
    let (mut conn, mut peer) = server_with(Config::default().with_max_concurrent_streams(3), &[]);
    let mut input = Vec::new();
    let mut body = peer.get(1, "");
    // Keep stream 1 open: same request without END_STREAM.
    body[4] &= !frame::flags::END_STREAM;
    input.extend(body);
    input.extend(priority_update(3, "u=1"));
    input.extend(priority_update(5, "u=2"));
    input.extend(priority_update(5, "u=3")); // the same stream again: replaces
    conn.handle_input(&input, T0).unwrap();
    assert_eq!(conn.remembered_idle_priorities(), 2);
    expect_conn_error(
        &mut conn,
        &priority_update(7, "u=1"),
        ErrorCode::PROTOCOL_ERROR,
        Reason::BadPriorityUpdate,
    );
}

/// A stream whose request was malformed is no longer idle: its remembered priority does not
/// count toward the limit any more.
#[test]
fn idle_priority_of_a_rejected_request_does_not_count() {
    let (mut conn, mut peer) = server_with(Config::default().with_max_concurrent_streams(2), &[]);
    let mut input = priority_update(3, "u=1");
    input.extend(peer.get(3, "u=1\r")); // a CR in a field value: malformed, RST_STREAM
    input.extend(priority_update(5, "u=1"));
    input.extend(priority_update(7, "u=1"));
    conn.handle_input(&input, T0).unwrap();
    assert_eq!(conn.remembered_idle_priorities(), 2);
    let frames = output(&mut conn);
    assert!(
        frames
            .iter()
            .any(|f| f.kind == kind::RST_STREAM && f.stream == 3)
    );
    expect_conn_error(
        &mut conn,
        &priority_update(9, "u=1"),
        ErrorCode::PROTOCOL_ERROR,
        Reason::BadPriorityUpdate,
    );
}

/// Our own bound on remembered priorities: beyond it, updates for idle streams are dropped
/// (the stream then gets its request's priority); opening a stream forgets lower idle ones.
#[test]
fn idle_priorities_are_bounded() {
    let mut limits = Limits::default();
    limits.max_idle_priorities = 2;
    let (mut conn, mut peer) = server_with(Config::default().with_limits(limits), &[]);
    let mut input = Vec::new();
    for stream in [1, 3, 5, 7, 9] {
        input.extend(priority_update(stream, "u=0"));
    }
    conn.handle_input(&input, T0).unwrap();
    assert_eq!(conn.remembered_idle_priorities(), 2);
    let mut input = peer.get(3, "u=6");
    input.extend(peer.get(5, "u=6"));
    conn.handle_input(&input, T0).unwrap();
    assert_eq!(conn.priority(StreamId::new(3)), Some(p(0, false)));
    assert_eq!(conn.priority(StreamId::new(5)), Some(p(6, false)));
    assert_eq!(
        conn.remembered_idle_priorities(),
        0,
        "stream 1 can no longer open"
    );
    // Thousands of updates for idle streams: memory stays bounded, no error.
    let mut input = Vec::new();
    for stream in (7..4000).step_by(2) {
        input.extend(priority_update(stream, "u=1"));
        input.extend(priority_update(stream, "u=2"));
    }
    let mut limits = Limits::default();
    limits.max_idle_priorities = 16;
    // Without the flood bound (priority_signal_floods_are_bounded), to see the memory bound.
    limits.max_tiny_frames = u32::MAX;
    let config = Config::default()
        .with_limits(limits)
        .with_max_concurrent_streams(u32::MAX);
    let (mut conn, _) = server_with(config, &[]);
    conn.handle_input(&input, T0).unwrap();
    assert_eq!(conn.remembered_idle_priorities(), 16);
}

/// RFC 7540 PRIORITY frames stay validated (self-dependency is a stream error) but change
/// nothing.
#[test]
fn rfc7540_priority_frames_are_validated_and_ignored() {
    let (mut conn, mut peer) = server();
    let mut input = peer.get(1, "u=5");
    input.extend(enc(&Frame::Priority {
        stream_id: StreamId::new(1),
        priority: frame::Priority {
            exclusive: true,
            dependency: StreamId::new(0),
            weight: 255,
        },
    }));
    conn.handle_input(&input, T0).unwrap();
    assert_eq!(conn.priority(StreamId::new(1)), Some(p(5, false)));
    // Self-dependency: RST_STREAM PROTOCOL_ERROR, the connection lives on.
    let frame = [0, 0, 5, kind::PRIORITY, 0, 0, 0, 0, 3, 0, 0, 0, 3, 16];
    conn.handle_input(&frame, T0).unwrap();
    let frames = output(&mut conn);
    let rst = frames.iter().find(|f| f.kind == kind::RST_STREAM).unwrap();
    assert_eq!(rst.stream, 3);
    assert_eq!(rst.payload, ErrorCode::PROTOCOL_ERROR.0.to_be_bytes());
    assert!(conn.error().is_none());
}

/// RFC 9113 §10.5: priority signals cost the server work (a reschedule each) and answer
/// nothing, so an endless run of PRIORITY_UPDATE or PRIORITY frames is a flood
/// (ENHANCE_YOUR_CALM), counted like empty frames: a real frame in between starts the count
/// again.
#[test]
fn priority_signal_floods_are_bounded() {
    let limit = Limits::default().max_tiny_frames as usize;
    let rfc7540 = enc(&Frame::Priority {
        stream_id: StreamId::new(1),
        priority: frame::Priority {
            exclusive: false,
            dependency: StreamId::new(0),
            weight: 15,
        },
    });
    let updates = [priority_update(1, "u=1"), priority_update(1, "u=6, i")];
    for signals in [&updates[..], std::slice::from_ref(&rfc7540)] {
        let (mut conn, mut peer) = server();
        let mut input = peer.get(1, "");
        input.extend(signals.iter().cycle().take(limit).flatten());
        // A request in between: the count starts again.
        input.extend(peer.get(3, ""));
        input.extend(signals.iter().cycle().take(limit).flatten());
        conn.handle_input(&input, T0).unwrap();
        output(&mut conn);
        expect_conn_error(
            &mut conn,
            &signals[0],
            ErrorCode::ENHANCE_YOUR_CALM,
            Reason::Flood,
        );
    }
}

// ------------------------------------------------------------------ SETTINGS_NO_RFC7540_PRIORITIES

fn first_settings(conn: &mut Connection) -> Vec<(u16, u32)> {
    let frames = output(conn);
    let settings = frames.iter().find(|f| f.kind == kind::SETTINGS).unwrap();
    settings
        .payload
        .chunks(6)
        .map(|c| {
            (
                u16::from_be_bytes([c[0], c[1]]),
                u32::from_be_bytes(c[2..6].try_into().unwrap()),
            )
        })
        .collect()
}

#[test]
fn we_send_no_rfc7540_priorities() {
    for role in [Connection::client, Connection::server] {
        let mut conn = role(Config::default(), T0);
        assert!(first_settings(&mut conn).contains(&(setting::NO_RFC7540_PRIORITIES, 1)));
        let mut config = Config::default();
        config.settings.no_rfc7540_priorities = false;
        let mut conn = role(config, T0);
        assert!(
            !first_settings(&mut conn)
                .iter()
                .any(|&(id, _)| id == setting::NO_RFC7540_PRIORITIES)
        );
    }
}

#[test]
fn peer_no_rfc7540_priorities() {
    let (conn, _) = server_with(Config::default(), &[(setting::NO_RFC7540_PRIORITIES, 1)]);
    assert!(conn.peer_settings().no_rfc7540_priorities);
    let (conn, _) = server();
    assert!(!conn.peer_settings().no_rfc7540_priorities);

    // A value other than 0 or 1.
    let mut conn = Connection::server(Config::default(), T0);
    let mut input = PREFACE.to_vec();
    input.extend(settings(&[(setting::NO_RFC7540_PRIORITIES, 2)]));
    expect_conn_error(
        &mut conn,
        &input,
        ErrorCode::PROTOCOL_ERROR,
        Reason::BadSettingValue,
    );

    // Repeating the first SETTINGS' value is fine; changing it is not (RFC 9218 §2.1); a value
    // the first SETTINGS left out and a later one sends is ignored.
    for (first, later, ok, in_force) in [
        (Some(1), 1, true, true),
        (Some(1), 0, false, true),
        (Some(0), 1, false, false),
        (Some(0), 0, true, false),
        (None, 0, true, false),
        (None, 1, true, false),
    ] {
        let first: Vec<(u16, u32)> = first
            .map(|v| (setting::NO_RFC7540_PRIORITIES, v))
            .into_iter()
            .collect();
        let (mut conn, _) = server_with(Config::default(), &first);
        let input = settings(&[(setting::NO_RFC7540_PRIORITIES, later)]);
        if ok {
            conn.handle_input(&input, T0).unwrap();
        } else {
            expect_conn_error(
                &mut conn,
                &input,
                ErrorCode::PROTOCOL_ERROR,
                Reason::BadSettingValue,
            );
        }
        assert_eq!(
            conn.peer_settings().no_rfc7540_priorities,
            in_force,
            "{first:?} {later}"
        );
    }
}

// ------------------------------------------------------------------ client side

fn request(priority: Option<&'static str>) -> Vec<Field<'static>> {
    let mut fields = vec![
        Field::new(b":method", b"GET"),
        Field::new(b":scheme", b"https"),
        Field::new(b":authority", b"a.example"),
        Field::new(b":path", b"/"),
    ];
    if let Some(value) = priority {
        fields.push(Field::new(b"priority", value.as_bytes()));
    }
    fields
}

/// Moves bytes both ways until both sides are quiet.
fn exchange(a: &mut Connection, b: &mut Connection) {
    let mut buf = vec![0u8; 1 << 16];
    let mut one_way = |from: &mut Connection, to: &mut Connection| {
        let mut moved = false;
        loop {
            let n = from.poll_transmit(T0, &mut buf);
            if n == 0 {
                return moved;
            }
            moved = true;
            to.handle_input(&buf[..n], T0).unwrap();
        }
    };
    while one_way(a, b) | one_way(b, a) {}
}

#[test]
fn client_sends_priority_update_frames() {
    let mut client = Connection::client(Config::default(), T0);
    output(&mut client);
    let s = StreamId::new;
    // The next stream, ahead of its request.
    client.send_priority_update(s(1), p(0, false)).unwrap();
    let frames = output(&mut client);
    assert_eq!(frames.len(), 1);
    assert_eq!(
        (frames[0].kind, frames[0].flags, frames[0].stream),
        (kind::PRIORITY_UPDATE, 0, 0)
    );
    assert_eq!(frames[0].payload, b"\0\0\0\x01u=0");
    let id = client.send_request(request(Some("u=5, i")), true).unwrap();
    assert_eq!(id, s(1));
    assert_eq!(
        client.priority(id),
        Some(p(5, true)),
        "the request's field schedules its body"
    );
    client.send_priority_update(id, p(3, true)).unwrap();
    assert_eq!(output(&mut client).last().unwrap().payload, b"\0\0\0\x01i");
    client.send_priority_update(id, Priority::DEFAULT).unwrap();
    assert_eq!(output(&mut client).last().unwrap().payload, b"\0\0\0\x01");
    // Neither a closed-or-unknown stream, nor a stream further ahead, nor stream 0.
    assert_eq!(
        client.send_priority_update(s(5), p(0, false)),
        Err(UserError::UnknownStream(s(5)))
    );
    assert_eq!(
        client.send_priority_update(s(0), p(0, false)),
        Err(UserError::UnknownStream(s(0)))
    );
    let mut server = Connection::server(Config::default(), T0);
    assert_eq!(
        server.send_priority_update(s(1), p(0, false)),
        Err(UserError::WrongRole)
    );
}

/// A client schedules its own request bodies by priority too (RFC 9218 §9): the request's
/// field, then `set_priority`.
#[test]
fn client_request_bodies_follow_their_priority() {
    let mut client = Connection::client(Config::default(), T0);
    output(&mut client);
    let mut input = settings(&[]);
    input.extend(settings_ack());
    input.extend(window_update(0, 1 << 20));
    client.handle_input(&input, T0).unwrap();
    output(&mut client);
    let mut post = request(Some("u=6"));
    post[0] = Field::new(b":method", b"POST");
    let low = client.send_request(post.clone(), false).unwrap();
    post[4] = Field::new(b"priority", b"u=2");
    let high = client.send_request(post, false).unwrap();
    assert_eq!(client.priority(low), Some(p(6, false)));
    assert_eq!(client.priority(high), Some(p(2, false)));
    // Two frames each time, twice within the 65 535-byte stream windows.
    let body = vec![b'b'; 32_000];
    assert_eq!(client.send_data(low, &body, false).unwrap(), body.len());
    assert_eq!(client.send_data(high, &body, false).unwrap(), body.len());
    let (h, l) = (high.value(), low.value());
    let frames: Vec<u32> = data_frames(&output(&mut client))
        .into_iter()
        .map(|(s, _, _)| s)
        .collect();
    assert_eq!(frames, [h, h, l, l]);
    assert_eq!(client.send_data(low, &body, true).unwrap(), body.len());
    assert_eq!(client.send_data(high, &body, true).unwrap(), body.len());
    client.set_priority(low, p(0, false)).unwrap();
    let frames: Vec<u32> = data_frames(&output(&mut client))
        .into_iter()
        .map(|(s, _, _)| s)
        .collect();
    assert_eq!(frames, [l, l, h, h]);
}

/// Our client and server: the client's `priority` fields and PRIORITY_UPDATE frames decide
/// the order of the responses' DATA.
#[test]
fn our_client_and_server_agree() {
    let mut client = Connection::client(Config::default().with_windows(1 << 20, 1 << 24), T0);
    let mut server = Connection::server(Config::default(), T0);
    exchange(&mut client, &mut server);
    assert!(client.peer_settings().no_rfc7540_priorities);
    assert!(server.peer_settings().no_rfc7540_priorities);
    let a = client.send_request(request(Some("u=6")), true).unwrap();
    let b = client.send_request(request(Some("u=2")), true).unwrap();
    let c = client.send_request(request(None), true).unwrap();
    client.send_priority_update(c, p(0, false)).unwrap();
    exchange(&mut client, &mut server);
    events(&mut client);
    let requests: Vec<StreamId> = events(&mut server)
        .into_iter()
        .filter_map(|e| match e {
            Event::Headers {
                stream,
                kind: HeadersKind::Request,
                ..
            } => Some(stream),
            _ => None,
        })
        .collect();
    assert_eq!(requests, [a, b, c]);
    for stream in [a, b, c] {
        respond(&mut server, stream.value(), 3 * FRAME);
    }
    exchange(&mut server, &mut client);
    let mut ends = Vec::new();
    let mut first_data = Vec::new();
    for event in events(&mut client) {
        if let Event::Data {
            stream, end_stream, ..
        } = event
        {
            if first_data.last() != Some(&stream) {
                first_data.push(stream);
            }
            if end_stream {
                ends.push(stream);
            }
        }
    }
    assert_eq!(
        first_data,
        [c, b, a],
        "each response sent whole, by urgency"
    );
    assert_eq!(ends, [c, b, a]);
}
