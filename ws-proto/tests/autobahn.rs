//! An Autobahn|Testsuite-equivalent suite driven through the state machine: each test is named
//! after its Autobahn case group and runs the group's cases (as the Autobahn fuzzing client
//! sends them) against an echo server built on `Connection`, under several input chunkings.
//! Groups 12 and 13 (permessage-deflate) are in `autobahn_deflate.rs`.

mod common;

use common::*;
use ws_proto::{Config, Connection, State};

/// Each frame in its own read, as Autobahn's "frame-wise" sends.
fn frame_wise(frames: &[Vec<u8>]) -> Outcome {
    echo_frames(Connection::server(Config::default()), frames)
}

fn echo_frames(mut server: Connection, frames: &[Vec<u8>]) -> Outcome {
    // Concatenate outcomes by feeding frames one by one through the same connection.
    let mut out_frames = Vec::new();
    let mut error = None;
    let mut unconsumed = 0;
    for f in frames {
        let mut out = Vec::new();
        match server.handle_input(f) {
            Ok(used) => {
                while let Some(event) = server.poll_event() {
                    match event {
                        ws_proto::Event::Text(t) => server.send_text(&t, &mut out).unwrap(),
                        ws_proto::Event::Binary(b) => server.send_binary(&b, &mut out).unwrap(),
                        _ => {}
                    }
                }
                server.poll_transmit(&mut out).unwrap();
                unconsumed += f.len() - used;
            }
            Err(e) => {
                server.poll_transmit(&mut out).unwrap();
                error = Some(e);
            }
        }
        out_frames.extend(parse(&out));
        if error.is_some() {
            break;
        }
    }
    Outcome {
        frames: out_frames,
        error,
        state: server.state(),
        unconsumed,
    }
}

fn close_frame(code: u16) -> Vec<u8> {
    cf(true, 8, &code.to_be_bytes())
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

fn assert_clean_close(o: &Outcome) {
    assert!(o.error.is_none(), "{o:?}");
    assert_eq!(o.close_code(), Some(1000));
}

#[test]
fn group_1_framing_text_and_binary_sizes() {
    for opcode in [1u8, 2] {
        for len in [0usize, 125, 126, 127, 128, 65535, 65536] {
            let payload: Vec<u8> = (0..len).map(|i| b'*' + (i % 64) as u8).collect();
            let input = cat(&[cf(true, opcode, &payload), close_frame(1000)]);
            each_chunking(&input, |o| {
                assert_eq!(
                    o.messages(),
                    [(opcode, payload.clone())],
                    "1.{opcode}.x len {len}"
                );
                assert_clean_close(o);
            });
        }
    }
}

#[test]
fn group_2_ping_pong() {
    // 2.1–2.4: pings with no, text, binary and 125-byte payloads are answered in kind.
    for payload in [
        vec![],
        b"Hello, world!".to_vec(),
        vec![0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff],
        vec![0xfe; 125],
    ] {
        each_chunking(&cat(&[cf(true, 9, &payload), close_frame(1000)]), |o| {
            assert_eq!(o.pongs(), std::slice::from_ref(&payload));
            assert_clean_close(o);
        });
    }
    // 2.5: a 126-byte ping fails the connection.
    each_chunking(&cf(true, 9, &[0xfe; 126]), |o| o.assert_failed(1002));
    // 2.7, 2.8: unsolicited pongs get no answer; 2.9: then a ping gets one.
    each_chunking(
        &cat(&[
            cf(true, 10, b""),
            cf(true, 10, b"unsolicited"),
            cf(true, 9, b"ping"),
            close_frame(1000),
        ]),
        |o| {
            assert_eq!(o.pongs(), [b"ping".to_vec()]);
            assert_clean_close(o);
        },
    );
    // 2.10, 2.11: ten pings, all answered in order, however they arrive.
    let pings: Vec<Vec<u8>> = (0..10)
        .map(|i| format!("payload-{i}").into_bytes())
        .collect();
    let mut input: Vec<u8> = pings.iter().flat_map(|p| cf(true, 9, p)).collect();
    input.extend(close_frame(1000));
    each_chunking(&input, |o| {
        assert_eq!(o.pongs(), pings);
        assert_clean_close(o);
    });
}

#[test]
fn group_3_reserved_bits() {
    // 3.1–3.7: RSV 1..7 on text, binary, ping and close frames, without an extension.
    for (rsv, opcode) in [(1u8, 1u8), (2, 1), (3, 1), (4, 1), (5, 2), (6, 9), (7, 8)] {
        let bad = raw(true, rsv, opcode, b"Hello", true);
        // 3.2, 3.3: a good message first is echoed, then the bad frame fails the connection.
        let o = frame_wise(&[cf(true, 1, b"Hello"), bad.clone(), cf(true, 9, b"")]);
        assert_eq!(o.messages(), [(1, b"Hello".to_vec())], "3.x rsv {rsv}");
        assert!(o.pongs().is_empty());
        o.assert_failed(1002);
        each_chunking(&cat(&[bad, cf(true, 9, b"")]), |o| o.assert_failed(1002));
    }
}

#[test]
fn group_4_opcodes() {
    // 4.1.x: reserved non-control opcodes 3–7; 4.2.x: reserved control opcodes 11–15.
    for opcode in (3u8..=7).chain(11..=15) {
        for payload in [&b""[..], b"reserved opcode payload"] {
            let o = frame_wise(&[
                cf(true, 1, b"Hello"),
                cf(true, opcode, payload),
                cf(true, 9, b""),
            ]);
            assert_eq!(o.messages(), [(1, b"Hello".to_vec())]);
            assert!(o.pongs().is_empty());
            o.assert_failed(1002);
            each_chunking(&cf(true, opcode, payload), |o| o.assert_failed(1002));
        }
    }
}

#[test]
fn group_5_fragmentation() {
    // 5.1, 5.2: fragmented ping and pong fail.
    for opcode in [9u8, 10] {
        each_chunking(
            &cat(&[cf(false, opcode, b"frag1"), cf(true, 0, b"frag2")]),
            |o| o.assert_failed(1002),
        );
    }
    // 5.3–5.5: text in two fragments is echoed whole.
    let two = cat(&[
        cf(false, 1, b"fragment1"),
        cf(true, 0, b"fragment2"),
        close_frame(1000),
    ]);
    each_chunking(&two, |o| {
        assert_eq!(o.messages(), [(1, b"fragment1fragment2".to_vec())]);
        assert_clean_close(o);
    });
    // 5.6–5.8: a ping between the fragments is answered before the message completes.
    let with_ping = cat(&[
        cf(false, 1, b"fragment1"),
        cf(true, 9, b"ping payload"),
        cf(true, 0, b"fragment2"),
        close_frame(1000),
    ]);
    each_chunking(&with_ping, |o| {
        assert_eq!(o.pongs(), [b"ping payload".to_vec()]);
        assert_eq!(o.messages(), [(1, b"fragment1fragment2".to_vec())]);
        let pong_at = o.frames.iter().position(|f| f.opcode == 10).unwrap();
        let text_at = o.frames.iter().position(|f| f.opcode == 1).unwrap();
        assert!(pong_at < text_at);
    });
    // 5.9–5.14: a continuation with nothing to continue (FIN set or not) fails.
    for fin in [true, false] {
        each_chunking(
            &cat(&[
                cf(fin, 0, b"non-continuation payload"),
                cf(true, 1, b"Hello, world!"),
            ]),
            |o| o.assert_failed(1002),
        );
    }
    // 5.15: a message, then a continuation without a start.
    let o = frame_wise(&[
        cf(false, 1, b"fragment1"),
        cf(true, 0, b"fragment2"),
        cf(false, 0, b"fragment3"),
        cf(true, 1, b"fragment4"),
    ]);
    assert_eq!(o.messages(), [(1, b"fragment1fragment2".to_vec())]);
    o.assert_failed(1002);
    // 5.16, 5.17: continuation / text / continuation sequences fail at once.
    for fin in [false, true] {
        let input = cat(&[
            cf(fin, 0, b"fragment1"),
            cf(false, 1, b"fragment2"),
            cf(true, 0, b"fragment3"),
        ]);
        each_chunking(&input, |o| {
            assert!(o.messages().is_empty());
            o.assert_failed(1002);
        });
    }
    // 5.18: a new text frame while a message is unfinished.
    each_chunking(
        &cat(&[cf(false, 1, b"fragment1"), cf(true, 1, b"fragment2")]),
        |o| o.assert_failed(1002),
    );
    // 5.19, 5.20: five fragments with pings between, all answered, message whole.
    let mut input = Vec::new();
    for i in 1..=5u8 {
        let op = if i == 1 { 1 } else { 0 };
        input.extend(cf(i == 5, op, format!("fragment{i}").as_bytes()));
        if i == 1 || i == 3 {
            input.extend(cf(true, 9, format!("pongme {i}!").as_bytes()));
        }
    }
    input.extend(close_frame(1000));
    each_chunking(&input, |o| {
        assert_eq!(o.pongs(), [b"pongme 1!".to_vec(), b"pongme 3!".to_vec()]);
        assert_eq!(
            o.messages(),
            [(1, b"fragment1fragment2fragment3fragment4fragment5".to_vec())]
        );
        assert_clean_close(o);
    });
    // Empty fragments are fine (5.x and 6.1.x).
    each_chunking(
        &cat(&[
            cf(false, 1, b""),
            cf(false, 0, b""),
            cf(true, 0, b""),
            close_frame(1000),
        ]),
        |o| {
            assert_eq!(o.messages(), [(1, vec![])]);
        },
    );
}

/// Autobahn 6.x payloads: (case, bytes, valid UTF-8?).
fn utf8_cases() -> Vec<(&'static str, Vec<u8>, bool)> {
    let mut cases: Vec<(&'static str, Vec<u8>, bool)> = vec![
        (
            "6.2 valid multi-byte",
            "Hello-µ@ßöäüàá-UTF-8!!".into(),
            true,
        ),
        (
            "6.3 κόσμε + surrogate",
            ["κόσμε".as_bytes(), &[0xed, 0xa0, 0x80], b"edited"].concat(),
            false,
        ),
        ("6.5 κόσμε", "κόσμε".into(), true),
        ("6.7 first 1-byte", vec![0x00], true),
        ("6.7 first 2-byte", vec![0xc2, 0x80], true),
        ("6.7 first 3-byte", vec![0xe0, 0xa0, 0x80], true),
        ("6.7 first 4-byte", vec![0xf0, 0x90, 0x80, 0x80], true),
        (
            "6.8 first 5-byte",
            vec![0xf8, 0x88, 0x80, 0x80, 0x80],
            false,
        ),
        (
            "6.8 first 6-byte",
            vec![0xfc, 0x84, 0x80, 0x80, 0x80, 0x80],
            false,
        ),
        ("6.9 last 1-byte", vec![0x7f], true),
        ("6.9 last 2-byte", vec![0xdf, 0xbf], true),
        ("6.9 last 3-byte", vec![0xef, 0xbf, 0xbf], true),
        ("6.9 last 4-byte", vec![0xf4, 0x8f, 0xbf, 0xbf], true),
        (
            "6.10 last 4-byte (beyond U+10FFFF)",
            vec![0xf7, 0xbf, 0xbf, 0xbf],
            false,
        ),
        (
            "6.10 last 5-byte",
            vec![0xfb, 0xbf, 0xbf, 0xbf, 0xbf],
            false,
        ),
        (
            "6.10 last 6-byte",
            vec![0xfd, 0xbf, 0xbf, 0xbf, 0xbf, 0xbf],
            false,
        ),
        ("6.11 U+D7FF", vec![0xed, 0x9f, 0xbf], true),
        ("6.11 U+E000", vec![0xee, 0x80, 0x80], true),
        ("6.11 U+FFFD", vec![0xef, 0xbf, 0xbd], true),
        ("6.11 U+10FFFF", vec![0xf4, 0x8f, 0xbf, 0xbf], true),
        ("6.11 U+110000", vec![0xf4, 0x90, 0x80, 0x80], false),
        ("6.16 fe", vec![0xfe], false),
        ("6.16 ff", vec![0xff], false),
        ("6.16 fe fe ff ff", vec![0xfe, 0xfe, 0xff, 0xff], false),
        ("6.17 overlong / 2", vec![0xc0, 0xaf], false),
        ("6.17 overlong / 3", vec![0xe0, 0x80, 0xaf], false),
        ("6.17 overlong / 4", vec![0xf0, 0x80, 0x80, 0xaf], false),
        (
            "6.17 overlong / 5",
            vec![0xf8, 0x80, 0x80, 0x80, 0xaf],
            false,
        ),
        (
            "6.17 overlong / 6",
            vec![0xfc, 0x80, 0x80, 0x80, 0x80, 0xaf],
            false,
        ),
        ("6.18 max overlong 2", vec![0xc1, 0xbf], false),
        ("6.18 max overlong 3", vec![0xe0, 0x9f, 0xbf], false),
        ("6.18 max overlong 4", vec![0xf0, 0x8f, 0xbf, 0xbf], false),
        ("6.19 overlong NUL 2", vec![0xc0, 0x80], false),
        ("6.19 overlong NUL 3", vec![0xe0, 0x80, 0x80], false),
        ("6.19 overlong NUL 4", vec![0xf0, 0x80, 0x80, 0x80], false),
        ("6.22 noncharacter U+FFFE", vec![0xef, 0xbf, 0xbe], true),
        (
            "6.22 noncharacter U+1FFFF",
            vec![0xf0, 0x9f, 0xbf, 0xbf],
            true,
        ),
        (
            "6.22 noncharacter U+10FFFE",
            vec![0xf4, 0x8f, 0xbf, 0xbe],
            true,
        ),
        ("6.23 BOM", vec![0xef, 0xbb, 0xbf], true),
    ];
    // 6.12: unexpected continuation bytes, alone and in runs.
    for b in [0x80u8, 0xbf] {
        cases.push(("6.12 lone continuation", vec![b], false));
    }
    cases.push(("6.12 continuation run", (0x80u8..=0xbf).collect(), false));
    // 6.13: lonely start characters followed by a space.
    for lead in (0xc0u8..=0xfd).step_by(7) {
        cases.push(("6.13 lonely start", vec![lead, 0x20], false));
    }
    // 6.14: sequences with the last byte missing.
    for seq in [
        &[0xc0u8][..],
        &[0xe0, 0x80],
        &[0xf0, 0x80, 0x80],
        &[0xdf],
        &[0xef, 0xbf],
        &[0xf7, 0xbf, 0xbf],
    ] {
        cases.push(("6.14 truncated", seq.to_vec(), false));
    }
    // 6.15: all of 6.14 concatenated.
    cases.push((
        "6.15 truncations concatenated",
        vec![
            0xc0, 0xe0, 0x80, 0xf0, 0x80, 0x80, 0xdf, 0xef, 0xbf, 0xf7, 0xbf, 0xbf,
        ],
        false,
    ));
    // 6.20: single UTF-16 surrogates; 6.21: paired ones.
    for s in [
        [0xed, 0xa0, 0x80],
        [0xed, 0xad, 0xbf],
        [0xed, 0xae, 0x80],
        [0xed, 0xaf, 0xbf],
        [0xed, 0xb0, 0x80],
        [0xed, 0xbe, 0x80],
        [0xed, 0xbf, 0xbf],
    ] {
        cases.push(("6.20 single surrogate", s.to_vec(), false));
    }
    for (hi, lo) in [
        ([0xed, 0xa0, 0x80], [0xed, 0xb0, 0x80]),
        ([0xed, 0xaf, 0xbf], [0xed, 0xbf, 0xbf]),
    ] {
        cases.push(("6.21 paired surrogates", [hi, lo].concat(), false));
    }
    cases
}

#[test]
fn group_6_utf8_handling() {
    let mut counts = (0, 0);
    for (case, bytes, valid) in utf8_cases() {
        // Whole message, one frame per byte (6.6 style), under every chunking.
        let single = cat(&[cf(true, 1, &bytes), close_frame(1000)]);
        let mut per_byte = Vec::new();
        for (i, b) in bytes.iter().enumerate() {
            per_byte.extend(cf(i + 1 == bytes.len(), if i == 0 { 1 } else { 0 }, &[*b]));
        }
        per_byte.extend(close_frame(1000));
        for input in [single, per_byte] {
            each_chunking(&input, |o| {
                if valid {
                    assert_eq!(o.messages(), [(1, bytes.clone())], "{case}");
                    assert_clean_close(o);
                } else {
                    assert!(o.messages().is_empty(), "{case}");
                    o.assert_failed(1007);
                }
            });
        }
        if valid { counts.0 += 1 } else { counts.1 += 1 }
    }
    // 6.1: empty text messages, in one frame and in three empty fragments.
    each_chunking(
        &cat(&[
            cf(true, 1, b""),
            cf(false, 1, b""),
            cf(false, 0, b""),
            cf(true, 0, b""),
            close_frame(1000),
        ]),
        |o| {
            assert_eq!(o.messages(), [(1, vec![]), (1, vec![])]);
        },
    );
    assert!(counts.0 >= 15 && counts.1 >= 40, "{counts:?}");
}

#[test]
fn group_6_4_fail_fast() {
    // 6.4.1–6.4.4: the connection fails at the fragment holding the first invalid byte,
    // before the message's final fragment arrives.
    let text = "κόσμε".as_bytes();
    for (first, second) in [
        (
            [text, &[0xf4, 0x90, 0x80, 0x80]].concat(),
            b"edited".to_vec(),
        ),
        (
            [text, &[0xf4]].concat(),
            [&[0x90u8, 0x80, 0x80][..], b"edited"].concat(),
        ),
    ] {
        let mut server = Connection::server(Config::default());
        let first_frame = cf(false, 1, &first);
        let second_frame = cf(false, 0, &second);
        let r1 = server.handle_input(&first_frame);
        let failed_early = r1.is_err() || server.handle_input(&second_frame).is_err();
        assert!(failed_early, "failed before the final fragment");
        assert_eq!(server.error(), Some(ws_proto::ProtocolError::InvalidUtf8));
        // Byte by byte: the failure comes at the first impossible byte, not later.
        let mut server = Connection::server(Config::default());
        let all = cat(&[first_frame, second_frame]);
        let bad_at = 6 + text.len() + 1; // header (2) + key (4) + text + F4 → fails at the 0x90
        let mut failed_at = None;
        for (i, b) in all.iter().enumerate() {
            if server.handle_input(&[*b]).is_err() {
                failed_at = Some(i);
                break;
            }
        }
        let failed_at = failed_at.unwrap();
        assert!(
            failed_at <= bad_at + 6,
            "failed at byte {failed_at}, first bad byte near {bad_at}"
        );
    }
    // The same with the bad byte in the very first fragment of a one-byte-per-frame message.
    let mut server = Connection::server(Config::default());
    assert!(server.handle_input(&cf(false, 1, &[0xc0])).is_err());
}

#[test]
fn group_7_close_handling() {
    // 7.1.1: a message, then a close; 7.1.2–7.1.4: nothing after the close is processed.
    let after = cat(&[
        cf(true, 1, b"Hello World!"),
        close_frame(1000),
        close_frame(1000),
        cf(true, 9, b""),
        cf(true, 1, b"after close"),
    ]);
    each_chunking(&after, |o| {
        assert_eq!(o.messages(), [(1, b"Hello World!".to_vec())]);
        assert!(o.pongs().is_empty());
        assert_clean_close(o);
        assert_eq!(o.state, State::Closed);
    });
    // The bytes after the close frame are handed back unconsumed.
    let trailing =
        close_frame(1000).len() + cf(true, 9, b"").len() + cf(true, 1, b"after close").len();
    let o = echo_with(Connection::server(Config::default()), &after, usize::MAX);
    assert_eq!(o.unconsumed, trailing);
    let mut server = Connection::server(Config::default());
    let used = server.handle_input(&after).unwrap();
    assert_eq!(after.len() - used, trailing);
    assert_eq!(server.handle_input(&after[used..]).unwrap(), 0);
    // 7.1.5, 7.1.6: a fragmented message cut by a close: no echo, clean close.
    each_chunking(
        &cat(&[
            cf(false, 1, b"fragment1"),
            close_frame(1000),
            cf(true, 0, b"fragment2"),
        ]),
        |o| {
            assert!(o.messages().is_empty());
            assert_clean_close(o);
        },
    );
    // 7.3.1: empty close gets an empty close; 7.3.2: a one-byte body fails.
    each_chunking(&cf(true, 8, b""), |o| {
        assert!(o.error.is_none());
        assert_eq!(o.frames.last().unwrap().payload, b"");
    });
    each_chunking(&cf(true, 8, b"a"), |o| o.assert_failed(1002));
    // 7.3.3–7.3.5: codes with reasons up to 123 bytes are fine; 7.3.6: 124 fails.
    for reason_len in [0usize, 5, 123] {
        let body = [&1000u16.to_be_bytes()[..], &vec![b'*'; reason_len]].concat();
        each_chunking(&cf(true, 8, &body), assert_clean_close);
    }
    each_chunking(
        &cf(
            true,
            8,
            &[&1000u16.to_be_bytes()[..], &[b'*'; 124]].concat(),
        ),
        |o| o.assert_failed(1002),
    );
    // 7.5.1: a reason that is not UTF-8.
    let bad_reason = [
        &1000u16.to_be_bytes()[..],
        &[
            0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80,
            0x65, 0x64, 0x69, 0x74, 0x65, 0x64,
        ],
    ]
    .concat();
    each_chunking(&cf(true, 8, &bad_reason), |o| o.assert_failed(1007));
    // 7.7.x: valid codes are echoed; 7.9.x and 7.13.x: invalid codes fail with 1002.
    let valid = [
        1000u16, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999,
        4000, 4999,
    ];
    for code in valid {
        each_chunking(&close_frame(code), |o| {
            assert!(o.error.is_none(), "{code}");
            assert_eq!(o.close_code(), Some(code));
        });
    }
    let invalid = [
        0u16, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535,
    ];
    for code in invalid {
        each_chunking(&close_frame(code), |o| o.assert_failed(1002));
    }
}

#[test]
fn group_9_limits_and_large_messages() {
    // 9.1, 9.2: large text and binary messages in one frame (up to 16 MiB, the frame limit).
    for opcode in [1u8, 2] {
        for len in [64usize << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20] {
            let payload = vec![b'*'; len];
            let o = echo_with(
                Connection::server(Config::default()),
                &cat(&[cf(true, opcode, &payload), close_frame(1000)]),
                1 << 16,
            );
            assert_eq!(o.messages(), [(opcode, payload)], "9.{opcode}.x {len}");
            assert_clean_close(&o);
        }
    }
    // 9.3, 9.4: a 4 MiB message in fragments of 64 B to 4 MiB.
    let message = vec![b'x'; 4 << 20];
    for fragment in [
        64usize,
        256,
        1 << 10,
        4 << 10,
        16 << 10,
        64 << 10,
        256 << 10,
        1 << 20,
        4 << 20,
    ] {
        let count = message.len() / fragment;
        let mut input = Vec::with_capacity(message.len() + count * 14);
        for (i, piece) in message.chunks(fragment).enumerate() {
            input.extend(cf(i + 1 == count, if i == 0 { 2 } else { 0 }, piece));
        }
        input.extend(close_frame(1000));
        let o = echo_with(Connection::server(Config::default()), &input, 1 << 20);
        assert_eq!(o.messages().len(), 1, "9.4.x fragment {fragment}");
        assert_eq!(o.messages()[0].1.len(), message.len());
    }
    // 9.5, 9.6: a 1 MiB message fed in chunks of 64 B to 128 KiB.
    let input = cat(&[cf(true, 1, &vec![b'*'; 1 << 20]), close_frame(1000)]);
    for chunk in [64usize, 128, 256, 512, 1024, 2048, 128 << 10] {
        let o = echo_with(Connection::server(Config::default()), &input, chunk);
        assert_eq!(o.messages()[0].1.len(), 1 << 20);
    }
    // 9.7, 9.8: a thousand small messages back to back.
    for len in [0usize, 16, 64, 256, 1024, 4096] {
        let one = cf(true, 2, &vec![7; len]);
        let input: Vec<u8> = std::iter::repeat_n(one, 1000).flatten().collect();
        let o = echo_with(Connection::server(Config::default()), &input, usize::MAX);
        assert_eq!(o.messages().len(), 1000);
    }
    // Limits: a frame over max_frame_size and a message over max_message_size fail with 1009,
    // before the payload is buffered; too many fragments with 1008.
    let small = Config {
        max_frame_size: 1000,
        max_message_size: 2500,
        max_fragments: 100,
        ..Config::default()
    };
    let header_only = &cf(true, 2, &[0; 1001])[..8];
    let o = echo_with(Connection::server(small), header_only, usize::MAX);
    o.assert_failed(1009);
    let parts = cat(&[
        cf(false, 2, &[0; 1000]),
        cf(false, 0, &[0; 1000]),
        cf(true, 0, &[0; 1000]),
    ]);
    echo_with(Connection::server(small), &parts, 7).assert_failed(1009);
    // A flood of empty fragments stays bounded by the fragment limit.
    let mut flood = cf(false, 2, b"");
    for _ in 0..1000 {
        flood.extend(cf(false, 0, b""));
    }
    echo_with(Connection::server(small), &flood, usize::MAX).assert_failed(1008);
    // A 2^63-1 length frame fails at its header.
    let mut huge = vec![0x82, 0xff];
    huge.extend((u64::MAX >> 1).to_be_bytes());
    huge.extend(KEY);
    echo_with(Connection::server(Config::default()), &huge, 1).assert_failed(1009);
}

#[test]
fn group_10_auto_fragmentation() {
    // 10.1.1: 65536 bytes of text arriving in 1300-byte frames are echoed as one message …
    let payload: Vec<u8> = (0..65536).map(|i| b'a' + (i % 26) as u8).collect();
    let mut input = Vec::new();
    let count = payload.len().div_ceil(1300);
    for (i, piece) in payload.chunks(1300).enumerate() {
        input.extend(cf(i + 1 == count, if i == 0 { 1 } else { 0 }, piece));
    }
    input.extend(close_frame(1000));
    each_chunking(&input, |o| assert_eq!(o.messages(), [(1, payload.clone())]));
    // … and our sender splits into frames of at most `max_send_frame_size`.
    let config = Config {
        max_send_frame_size: Some(1300),
        ..Config::default()
    };
    let o = echo_with(Connection::server(config), &input, usize::MAX);
    assert_eq!(o.messages(), [(1, payload.clone())]);
    let data_frames: Vec<_> = o.frames.iter().filter(|f| f.opcode < 8).collect();
    assert_eq!(data_frames.len(), count);
    assert!(data_frames.iter().all(|f| f.payload.len() <= 1300));
    assert!(data_frames[..count - 1].iter().all(|f| !f.fin) && data_frames[count - 1].fin);
}

#[test]
fn client_role_rules() {
    // A client rejects masked frames; a server rejects unmasked ones (§5.1).
    let mut client = Connection::client(Config::default(), || KEY);
    assert_eq!(
        client.handle_input(&cf(true, 1, b"x")),
        Err(ws_proto::ProtocolError::MaskedFrame)
    );
    let mut server = Connection::server(Config::default());
    assert_eq!(
        server.handle_input(&raw(true, 0, 1, b"x", false)),
        Err(ws_proto::ProtocolError::UnmaskedFrame)
    );
    // A client's frames are masked with the caller's keys, one per frame.
    let mut n = 0u8;
    let mut client = Connection::client(Config::default(), move || {
        n += 1;
        [n, n, n, n]
    });
    let mut out = Vec::new();
    client.send_text("ab", &mut out).unwrap();
    client.send_binary(b"cd", &mut out).unwrap();
    assert_eq!(out[2..6], [1, 1, 1, 1]);
    assert_eq!(out[10..14], [2, 2, 2, 2]);
    assert_eq!(parse(&out)[1].payload, b"cd");
}

#[test]
fn close_handshake_states() {
    let mut server = Connection::server(Config::default());
    let mut out = Vec::new();
    server
        .close(Some(ws_proto::CloseCode::NORMAL), "bye", &mut out)
        .unwrap();
    assert_eq!(server.state(), State::Closing);
    assert_eq!(
        server.send_text("late", &mut out),
        Err(ws_proto::SendError::Closed)
    );
    // Data still arrives while closing; the peer's close completes the handshake.
    server.handle_input(&cf(true, 1, b"in flight")).unwrap();
    assert_eq!(
        server.poll_event(),
        Some(ws_proto::Event::Text("in flight".into()))
    );
    server.handle_input(&close_frame(1000)).unwrap();
    assert_eq!(server.state(), State::Closed);
    assert!(!server.wants_transmit());
    // Invalid codes cannot be sent.
    let mut other = Connection::server(Config::default());
    assert_eq!(
        other.close(Some(ws_proto::CloseCode(1005)), "", &mut out),
        Err(ws_proto::SendError::InvalidCloseCode(1005))
    );
}
