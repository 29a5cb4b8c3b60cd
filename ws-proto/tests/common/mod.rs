//! Test-side frame builder and parser, written from RFC 6455 §5.2 independently of the crate's
//! encoder and decoder, and an echo harness around a server `Connection`.
#![allow(dead_code)]

use ws_proto::{Config, Connection, Event, ProtocolError, State};

/// A frame as the test builds or reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub fin: bool,
    pub rsv: u8,
    pub opcode: u8,
    pub payload: Vec<u8>,
}

pub const KEY: [u8; 4] = [0xa1, 0x5b, 0x0c, 0xee];

/// Builds a frame, masked with `KEY` when `masked`.
pub fn raw(fin: bool, rsv: u8, opcode: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let mut out = vec![(u8::from(fin) << 7) | (rsv << 4) | opcode];
    let mask_bit = if masked { 0x80 } else { 0 };
    let len = payload.len();
    if len < 126 {
        out.push(mask_bit | len as u8);
    } else if len <= 0xffff {
        out.push(mask_bit | 126);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(mask_bit | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    if masked {
        out.extend_from_slice(&KEY);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ KEY[i % 4]));
    } else {
        out.extend_from_slice(payload);
    }
    out
}

/// A masked client frame.
pub fn cf(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    raw(fin, 0, opcode, payload, true)
}

/// Parses complete frames (panics on anything malformed: our output must be well-formed).
pub fn parse(mut bytes: &[u8]) -> Vec<Frame> {
    let mut frames = Vec::new();
    while !bytes.is_empty() {
        let b0 = bytes[0];
        let b1 = bytes[1];
        let (len, mut at) = match b1 & 0x7f {
            126 => (u16::from_be_bytes([bytes[2], bytes[3]]) as usize, 4),
            127 => (
                u64::from_be_bytes(bytes[2..10].try_into().unwrap()) as usize,
                10,
            ),
            n => (n as usize, 2),
        };
        let key = if b1 & 0x80 != 0 {
            let k: [u8; 4] = bytes[at..at + 4].try_into().unwrap();
            at += 4;
            Some(k)
        } else {
            None
        };
        let mut payload = bytes[at..at + len].to_vec();
        if let Some(k) = key {
            for (i, b) in payload.iter_mut().enumerate() {
                *b ^= k[i % 4];
            }
        }
        frames.push(Frame {
            fin: b0 & 0x80 != 0,
            rsv: (b0 >> 4) & 7,
            opcode: b0 & 0x0f,
            payload,
        });
        bytes = &bytes[at + len..];
    }
    frames
}

/// What an echo server did with some input.
#[derive(Debug)]
pub struct Outcome {
    /// Frames the server sent.
    pub frames: Vec<Frame>,
    /// The failure, if the connection failed.
    pub error: Option<ProtocolError>,
    pub state: State,
    /// Bytes handed back unconsumed after the peer's close.
    pub unconsumed: usize,
}

impl Outcome {
    /// The close code the server sent, if any.
    pub fn close_code(&self) -> Option<u16> {
        self.frames
            .iter()
            .find(|f| f.opcode == 8)
            .map(|f| u16::from_be_bytes([f.payload[0], f.payload[1]]))
    }

    /// Data messages the server echoed, reassembled.
    pub fn messages(&self) -> Vec<(u8, Vec<u8>)> {
        let mut out = Vec::new();
        let mut current: Option<(u8, Vec<u8>)> = None;
        for f in &self.frames {
            match f.opcode {
                1 | 2 => current = Some((f.opcode, f.payload.clone())),
                0 => current.as_mut().unwrap().1.extend_from_slice(&f.payload),
                _ => continue,
            }
            if f.fin {
                out.push(current.take().unwrap());
            }
        }
        out
    }

    pub fn pongs(&self) -> Vec<Vec<u8>> {
        self.frames
            .iter()
            .filter(|f| f.opcode == 0xa)
            .map(|f| f.payload.clone())
            .collect()
    }

    /// Asserts the connection failed with `code`.
    pub fn assert_failed(&self, code: u16) {
        assert!(
            self.error.is_some(),
            "expected failure {code}, got {self:?}"
        );
        assert_eq!(self.close_code(), Some(code), "{:?}", self.error);
        assert_eq!(self.state, State::Closed);
    }
}

/// The next event: owned (`poll_event`) or lent and copied out (`poll_event_ref`), so every
/// case also checks that both polls see the same events.
fn next_event(server: &mut Connection, lent: bool) -> Option<Event> {
    if lent {
        server.poll_event_ref().map(|e| e.to_event())
    } else {
        server.poll_event()
    }
}

/// Feeds `input` to `server` in `chunk`-byte pieces, echoing every message, transmitting after
/// each piece. Whole input and a byte at a time poll owned events, the chunkings between lent
/// ones.
pub fn echo_with(mut server: Connection, input: &[u8], chunk: usize) -> Outcome {
    let lent = chunk > 1 && chunk < usize::MAX;
    let mut out = Vec::new();
    let mut error = None;
    let mut rest = input;
    let mut unconsumed = 0;
    while !rest.is_empty() {
        let piece = &rest[..chunk.min(rest.len())];
        match server.handle_input(piece) {
            Ok(used) => {
                while let Some(event) = next_event(&mut server, lent) {
                    // Pongs queued by earlier pings go out before later echoes.
                    server.poll_transmit(&mut out).unwrap();
                    match event {
                        Event::Text(t) => server.send_text(&t, &mut out).unwrap(),
                        Event::Binary(b) => server.send_binary(&b, &mut out).unwrap(),
                        _ => {}
                    }
                }
                server.poll_transmit(&mut out).unwrap();
                if used == 0 {
                    unconsumed = rest.len();
                    break;
                }
                rest = &rest[used..];
            }
            Err(e) => {
                // Messages completed before the failure are still echoed.
                while let Some(event) = next_event(&mut server, lent) {
                    match event {
                        Event::Text(t) => {
                            let _ = server.send_text(&t, &mut out);
                        }
                        Event::Binary(b) => {
                            let _ = server.send_binary(&b, &mut out);
                        }
                        _ => {}
                    }
                }
                server.poll_transmit(&mut out).unwrap();
                error = Some(e);
                break;
            }
        }
    }
    Outcome {
        frames: parse(&out),
        error,
        state: server.state(),
        unconsumed,
    }
}

/// The chunkings every case runs under: whole, a byte at a time, and odd sizes.
pub const CHUNKINGS: [usize; 4] = [usize::MAX, 1, 7, 997];

/// Runs `input` through a default echo server under every chunking, checking each outcome.
pub fn each_chunking(input: &[u8], check: impl Fn(&Outcome)) {
    for chunk in CHUNKINGS {
        check(&echo_with(
            Connection::server(Config::default()),
            input,
            chunk,
        ));
    }
}
