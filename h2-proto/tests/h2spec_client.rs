//! h2spec's client cases (`h2spec client`, 57 of them) against [`Connection::client`]: the
//! tester plays the server. The client under test sends `GET /` as soon as it is created (as
//! the command h2spec runs would), and the h2spec peer — the same harness as the server suite
//! (`common/h2spec_suite.rs`), here in the server role: it reads the client preface and
//! SETTINGS, answers with its SETTINGS and an ACK, reads the request, then sends the case's
//! frames — checks the outcome with the same verifiers. Tests are named by h2spec id
//! (`one_by_one::client_6_9_1__2` = `client/6.9.1/2`); `client_split_writes` runs them all
//! again with the peer's writes fed byte by byte and in 7-byte pieces.

#![allow(
    dead_code,
    reason = "the server cases of the shared suite are not run here"
)]

include!("common/h2spec_suite.rs");

/// `Connection::client` with default settings that has sent `GET /` (END_STREAM); each write
/// of the h2spec peer is fed in `handle_input` calls of at most `chunk` bytes. Closed once
/// `is_finished`.
struct InProcessClient {
    conn: Connection,
    chunk: usize,
}

impl InProcessClient {
    fn new(chunk: usize) -> Self {
        let mut conn = Connection::client(Config::default(), NOW);
        let request = [
            (":method", "GET"),
            (":scheme", "http"),
            (":authority", "127.0.0.1"),
            (":path", "/"),
        ];
        conn.send_request(request.map(Field::from), true).unwrap();
        Self { conn, chunk }
    }
}

impl Transport for InProcessClient {
    fn write(&mut self, bytes: &[u8]) {
        feed(&mut self.conn, bytes, self.chunk, |conn| {
            while conn.poll_event().is_some() {}
        });
    }

    fn read(&mut self) -> Read {
        transmitted(&mut self.conn)
    }
}

/// The h2spec peer in the server role (h2spec's `Accept`, `handshakeAsServer`,
/// `ReadRequest`, `CommonRespHeaders`).
impl Client {
    /// The client connection preface, exactly.
    fn read_client_preface(&mut self) -> Outcome {
        while self.inbuf.len() < 24 {
            match self.transport.read() {
                Read::Bytes(bytes) => self.inbuf.extend_from_slice(&bytes),
                _ => return Err("no client connection preface".into()),
            }
        }
        let preface: Vec<u8> = self.inbuf.drain(..24).collect();
        if preface != b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" {
            return Err(format!("illegal preface {preface:?}"));
        }
        self.log.borrow_mut().push("[recv] client preface".into());
        Ok(())
    }

    /// The preface and the client's first frame, which must be SETTINGS.
    fn read_preface_and_settings(&mut self) -> Outcome {
        self.read_client_preface()?;
        self.wait_event_by_type(SETTINGS)
            .map(|_| ())
            .map_err(|e| format!("first frame from client must be SETTINGS: {e}"))
    }

    /// h2spec's server handshake: preface, the client's SETTINGS, then our SETTINGS
    /// (INITIAL_WINDOW_SIZE 65535) and the ACK of theirs.
    fn handshake_as_server(&mut self) -> Outcome {
        self.read_client_preface()?;
        match self.wait_event() {
            Ev::Frame(f) if f.kind == SETTINGS && !f.has(ACK) => {}
            other => {
                return Err(format!(
                    "first frame must be SETTINGS, got {}",
                    other.describe()
                ));
            }
        }
        self.write_settings(&[(INITIAL_WINDOW_SIZE, DEFAULT_WINDOW as u32)]);
        self.write_settings_ack();
        Ok(())
    }

    /// The request's header block (HEADERS and any CONTINUATION): its stream.
    fn read_request(&mut self) -> Result<u32, String> {
        let f = self.wait_event_by_type(HEADERS)?;
        let Some(fields) = &f.fields else {
            return Err("request blocks split over CONTINUATION are not expected".into());
        };
        if !fields.iter().any(|(n, v)| n == ":method" && v == "GET") {
            return Err(format!("expected the GET request, got {}", f.describe()));
        }
        Ok(f.stream)
    }

    /// h2spec's `CommonRespHeaders`.
    fn response_block(&mut self, extra: Vec<(String, String)>) -> Vec<u8> {
        let mut headers = vec![
            field(":status", "200"),
            field("access-control-allow-origin", "*"),
        ];
        headers.extend(extra);
        self.encode_headers(&headers)
    }

    /// HEADERS with the common response fields on `stream`.
    fn write_response(&mut self, stream: u32, end_stream: bool, end_headers: bool) {
        let block = self.response_block(Vec::new());
        self.write_headers(Headers {
            stream,
            end_stream,
            end_headers,
            block,
            ..Headers::default()
        });
    }
}

/// One h2spec client case.
struct ClientCase {
    id: &'static str,
    run: fn(&mut Client) -> Outcome,
}

/// Runs a case, the peer's writes fed in pieces of at most `chunk` bytes.
fn run_client_case(case: &ClientCase, chunk: usize) -> Outcome {
    let log: Rc<RefCell<Vec<String>>> = Rc::default();
    let client = InProcessClient::new(chunk);
    let mut peer = Client::new(Box::new(client), "127.0.0.1", log.clone());
    let outcome = (case.run)(&mut peer);
    if std::env::var_os("H2SPEC_TRACE").is_some() {
        println!("== {} {:?}\n{}", case.id, outcome, log.borrow().join("\n"));
    }
    outcome.map_err(|reason| {
        format!(
            "h2spec {} failed: {reason}\n{}",
            case.id,
            log.borrow().join("\n")
        )
    })
}

macro_rules! client_cases {
    ($($name:ident = $id:literal;)*) => {
        /// Every h2spec client case, in h2spec's order.
        const CLIENT_CASES: &[ClientCase] = &[$(ClientCase { id: $id, run: client::$name },)*];

        /// One test per case: `client_<section>__<n>` is h2spec's `client/<section>/<n>`.
        #[allow(non_snake_case)]
        mod one_by_one {
            $(
                #[doc = concat!("h2spec `", $id, "`")]
                #[test]
                fn $name() {
                    let case = super::CLIENT_CASES.iter().find(|c| c.id == $id).unwrap();
                    if let Err(report) = super::run_client_case(case, usize::MAX) {
                        panic!("{report}");
                    }
                }
            )*
        }
    };
}

client_cases! {
    client_1__1 = "client/1/1";
    client_4_1__1 = "client/4.1/1";
    client_4_1__2 = "client/4.1/2";
    client_4_1__3 = "client/4.1/3";
    client_4_2__1 = "client/4.2/1";
    client_4_2__2 = "client/4.2/2";
    client_4_2__3 = "client/4.2/3";
    client_4_3__1 = "client/4.3/1";
    client_5_1__1 = "client/5.1/1";
    client_5_1__2 = "client/5.1/2";
    client_5_1__3 = "client/5.1/3";
    client_5_1__4 = "client/5.1/4";
    client_5_1__5 = "client/5.1/5";
    client_5_1__6 = "client/5.1/6";
    client_5_1__7 = "client/5.1/7";
    client_5_1__8 = "client/5.1/8";
    client_5_1__9 = "client/5.1/9";
    client_5_1__10 = "client/5.1/10";
    client_5_1_1__1 = "client/5.1.1/1";
    client_5_4_1__1 = "client/5.4.1/1";
    client_5_4_1__2 = "client/5.4.1/2";
    client_5_5__1 = "client/5.5/1";
    client_6_1__1 = "client/6.1/1";
    client_6_1__2 = "client/6.1/2";
    client_6_1__3 = "client/6.1/3";
    client_6_2__1 = "client/6.2/1";
    client_6_2__2 = "client/6.2/2";
    client_6_2__3 = "client/6.2/3";
    client_6_3__1 = "client/6.3/1";
    client_6_3__2 = "client/6.3/2";
    client_6_4__1 = "client/6.4/1";
    client_6_4__2 = "client/6.4/2";
    client_6_4__3 = "client/6.4/3";
    client_6_5__1 = "client/6.5/1";
    client_6_5__2 = "client/6.5/2";
    client_6_5__3 = "client/6.5/3";
    client_6_5_2__1 = "client/6.5.2/1";
    client_6_5_2__2 = "client/6.5.2/2";
    client_6_5_2__3 = "client/6.5.2/3";
    client_6_5_2__4 = "client/6.5.2/4";
    client_6_5_3__1 = "client/6.5.3/1";
    client_6_7__1 = "client/6.7/1";
    client_6_7__2 = "client/6.7/2";
    client_6_7__3 = "client/6.7/3";
    client_6_7__4 = "client/6.7/4";
    client_6_8__1 = "client/6.8/1";
    client_6_9__1 = "client/6.9/1";
    client_6_9__2 = "client/6.9/2";
    client_6_9__3 = "client/6.9/3";
    client_6_9_1__1 = "client/6.9.1/1";
    client_6_9_1__2 = "client/6.9.1/2";
    client_6_10__1 = "client/6.10/1";
    client_6_10__2 = "client/6.10/2";
    client_6_10__3 = "client/6.10/3";
    client_6_10__4 = "client/6.10/4";
    client_6_10__5 = "client/6.10/5";
    client_6_10__6 = "client/6.10/6";
}

/// The case bodies; each comment is h2spec's description.
#[allow(non_snake_case)]
mod client {
    use super::*;

    const H2SPEC: [u8; 8] = *b"h2spec\0\0";

    /// Handshake, then the request's stream.
    fn request(c: &mut Client) -> Result<u32, String> {
        c.handshake_as_server()?;
        c.read_request()
    }

    /// CONTINUATION carrying one dummy field.
    fn dummy_continuation(c: &mut Client, stream: u32, end_headers: bool) {
        let block = c.encode_headers(&dummy_headers(1));
        c.write_continuation(stream, end_headers, &block);
    }

    /// Sends a server connection preface.
    pub fn client_1__1(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        // h2spec stops here; we also want the client to acknowledge our SETTINGS.
        c.verify_settings_ack()
    }

    /// Sends a frame with unknown type: ignored.
    pub fn client_4_1__1(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.send(b"\x00\x00\x08\x16\x00\x00\x00\x00\x00");
        c.send(&[0; 8]);
        c.write_ping(false, [0; 8]);
        c.verify_ping_ack([0; 8])
    }

    /// Sends a frame with undefined flag (a PING with flags 0x16).
    pub fn client_4_1__2(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.send(b"\x00\x00\x08\x06\x16\x00\x00\x00\x00");
        c.send(&[0; 8]);
        c.verify_event_type(PING)
    }

    /// Sends a frame with reserved field bit.
    pub fn client_4_1__3(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.send(b"\x00\x00\x08\x06\x16\x80\x00\x00\x00");
        c.send(&[0; 8]);
        c.verify_event_type(PING)
    }

    /// Sends a DATA frame with 2^14 octets in length.
    pub fn client_4_2__1(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, false, true);
        let data = vec![b'x'; c.max_frame_size()];
        c.write_data(stream, true, &data);
        c.write_ping(false, [0; 8]);
        c.verify_ping_ack([0; 8])
    }

    /// Sends a large size DATA frame that exceeds the SETTINGS_MAX_FRAME_SIZE.
    pub fn client_4_2__2(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, false, true);
        let data = vec![b'x'; c.max_frame_size() + 1];
        c.write_data(stream, true, &data);
        c.verify_stream_error(&[FRAME_SIZE_ERROR])
    }

    /// Sends a large size HEADERS frame that exceeds the SETTINGS_MAX_FRAME_SIZE.
    pub fn client_4_2__3(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        let block = c.response_block(dummy_headers(5));
        c.write_headers(Headers {
            stream,
            end_stream: true,
            end_headers: true,
            block,
            ..Headers::default()
        });
        c.verify_connection_error(&[FRAME_SIZE_ERROR])
    }

    /// Sends invalid header block fragment. h2spec writes the stream id little-endian, so
    /// stream 1 goes out as 0x01000000, an idle server-initiated stream: the frame is both a
    /// HEADERS on a stream the server may not open (PROTOCOL_ERROR, RFC 9113 §5.1.1) and a
    /// truncated field block (COMPRESSION_ERROR); either connection error is right.
    pub fn client_4_3__1(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        let mut frame = b"\x00\x00\x01\x01\x05".to_vec();
        frame.extend_from_slice(&stream.to_le_bytes());
        frame.push(0x40);
        c.send(&frame);
        c.verify_connection_error(&[COMPRESSION_ERROR, PROTOCOL_ERROR])
    }

    /// 5.1 idle: Sends a DATA frame (stream 2).
    pub fn client_5_1__1(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.write_data(2, true, b"test");
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 5.1 idle: Sends a RST_STREAM frame.
    pub fn client_5_1__2(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.write_rst_stream(2, CANCEL);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 5.1 idle: Sends a WINDOW_UPDATE frame.
    pub fn client_5_1__3(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.write_window_update(2, 100);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 5.1 idle: Sends a CONTINUATION frame.
    pub fn client_5_1__4(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        let block = c.response_block(Vec::new());
        c.write_continuation(2, true, &block);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 5.1 closed: Sends a DATA frame after sending RST_STREAM frame.
    pub fn client_5_1__5(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, false, true);
        c.write_rst_stream(stream, CANCEL);
        c.write_data(stream, true, b"test");
        c.verify_stream_error(&[STREAM_CLOSED])
    }

    /// 5.1 closed: Sends a HEADERS frame after sending RST_STREAM frame.
    pub fn client_5_1__6(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, false, true);
        c.write_rst_stream(stream, CANCEL);
        c.write_response(stream, true, true);
        c.verify_stream_error(&[STREAM_CLOSED])
    }

    /// 5.1 closed: Sends a CONTINUATION frame after sending RST_STREAM frame.
    pub fn client_5_1__7(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, false, true);
        c.write_rst_stream(stream, CANCEL);
        dummy_continuation(c, stream, true);
        c.verify_stream_error(&[STREAM_CLOSED, PROTOCOL_ERROR])
    }

    /// 5.1 closed: Sends a DATA frame (after the response ended the stream).
    pub fn client_5_1__8(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, true, true);
        c.write_data(stream, true, b"test");
        c.verify_connection_error(&[STREAM_CLOSED])
    }

    /// 5.1 closed: Sends a HEADERS frame.
    pub fn client_5_1__9(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, true, true);
        c.write_response(stream, true, true);
        c.verify_connection_error(&[STREAM_CLOSED])
    }

    /// 5.1 closed: Sends a CONTINUATION frame.
    pub fn client_5_1__10(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, true, true);
        dummy_continuation(c, stream, true);
        c.verify_connection_error(&[STREAM_CLOSED, PROTOCOL_ERROR])
    }

    /// 5.1.1 Sends an unexpected stream identifier (a response on stream 101, never opened).
    pub fn client_5_1_1__1(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.write_response(101, true, true);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 5.4.1 Sends an invalid PING frame for connection close.
    pub fn client_5_4_1__1(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.send(b"\x00\x00\x08\x06\x00\x00\x00\x00\x03");
        c.send(&[0; 8]);
        c.verify_connection_close()
    }

    /// 5.4.1 Sends an invalid PING frame to receive GOAWAY frame.
    pub fn client_5_4_1__2(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.send(b"\x00\x00\x08\x06\x00\x00\x00\x00\x03");
        c.send(&[0; 8]);
        let f = c.wait_event_by_type(GOAWAY)?;
        check_code(&f, &[PROTOCOL_ERROR], "GOAWAY")
    }

    /// 5.5 Sends an unknown extension frame.
    pub fn client_5_5__1(c: &mut Client) -> Outcome {
        client_4_1__1(c)
    }

    /// 6.1 Sends a DATA frame with 0x0 stream identifier.
    pub fn client_6_1__1(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.write_data(0, true, b"test");
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.1 Sends a DATA frame on the stream that is not in "open" or "half-closed (local)"
    /// state (after a response with END_STREAM: a connection error is also right,
    /// RFC 9113 §5.1).
    pub fn client_6_1__2(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, true, true);
        c.write_data(stream, true, b"test");
        c.verify_stream_error(&[STREAM_CLOSED])
    }

    /// 6.1 Sends a DATA frame with invalid pad length.
    pub fn client_6_1__3(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        let block = c.response_block(vec![field("content-length", "4")]);
        c.write_headers(Headers {
            stream,
            end_stream: false,
            end_headers: true,
            block,
            ..Headers::default()
        });
        c.write_frame(DATA, END_STREAM | PADDED, stream, b"\x06Test");
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.2 Sends a HEADERS frame without the END_HEADERS flag, and a PRIORITY frame.
    pub fn client_6_2__1(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, false, false);
        c.write_priority(stream, 0, false, 255);
        dummy_continuation(c, stream, true);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.2 Sends a HEADERS frame with 0x0 stream identifier.
    pub fn client_6_2__2(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.write_response(0, true, true);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.2 Sends a HEADERS frame with invalid pad length (17, PADDED only). RFC 9113 §6.2
    /// makes it a connection error; h2spec accepts a stream error too.
    pub fn client_6_2__3(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        let block = c.response_block(Vec::new());
        let payload = [&[0x11][..], &block].concat();
        c.write_frame(HEADERS, PADDED, stream, &payload);
        c.verify_stream_error(&[PROTOCOL_ERROR])
    }

    /// 6.3 Sends a PRIORITY frame with 0x0 stream identifier.
    pub fn client_6_3__1(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.write_priority(0, 0, false, 255);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.3 Sends a PRIORITY frame with a length other than 5 octets.
    pub fn client_6_3__2(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, true, true);
        c.write_frame(PRIORITY, 0, stream, b"\x80\x00\x00\x01");
        c.verify_stream_error(&[FRAME_SIZE_ERROR])
    }

    /// 6.4 Sends a RST_STREAM frame with 0x0 stream identifier.
    pub fn client_6_4__1(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.write_rst_stream(0, CANCEL);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.4 Sends a RST_STREAM frame on a idle stream.
    pub fn client_6_4__2(c: &mut Client) -> Outcome {
        client_5_1__2(c)
    }

    /// 6.4 Sends a RST_STREAM frame with a length other than 4 octets.
    pub fn client_6_4__3(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, true, true);
        c.write_frame(RST_STREAM, 0, stream, b"\x00\x00\x00");
        c.verify_stream_error(&[FRAME_SIZE_ERROR])
    }

    /// 6.5 Sends a SETTINGS frame with ACK flag and payload (as the server's first frame).
    pub fn client_6_5__1(c: &mut Client) -> Outcome {
        c.read_preface_and_settings()?;
        c.send(b"\x00\x00\x01\x04\x01\x00\x00\x00\x00");
        c.send(b"\x00");
        c.verify_connection_error(&[FRAME_SIZE_ERROR])
    }

    /// 6.5 Sends a SETTINGS frame with a stream identifier other than 0x0.
    pub fn client_6_5__2(c: &mut Client) -> Outcome {
        c.read_preface_and_settings()?;
        c.send(b"\x00\x00\x06\x04\x00\x00\x00\x00\x01");
        c.send(b"\x00\x03\x00\x00\x00\x64");
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.5 Sends a SETTINGS frame with a length other than a multiple of 6 octets.
    pub fn client_6_5__3(c: &mut Client) -> Outcome {
        c.read_preface_and_settings()?;
        c.send(b"\x00\x00\x03\x04\x00\x00\x00\x00\x00");
        c.send(b"\x00\x03\x00");
        c.verify_stream_error(&[PROTOCOL_ERROR, FRAME_SIZE_ERROR])
    }

    fn settings_error(c: &mut Client, setting: (u16, u32), code: u32) -> Outcome {
        c.read_preface_and_settings()?;
        c.write_settings(&[setting]);
        c.verify_connection_error(&[code])
    }

    /// 6.5.2 SETTINGS_INITIAL_WINDOW_SIZE (0x4): Sends the value above the maximum flow
    /// control window size.
    pub fn client_6_5_2__1(c: &mut Client) -> Outcome {
        settings_error(c, (INITIAL_WINDOW_SIZE, 1 << 31), FLOW_CONTROL_ERROR)
    }

    /// 6.5.2 SETTINGS_MAX_FRAME_SIZE (0x5): Sends the value below the initial value.
    pub fn client_6_5_2__2(c: &mut Client) -> Outcome {
        settings_error(c, (MAX_FRAME_SIZE, 16383), PROTOCOL_ERROR)
    }

    /// 6.5.2 SETTINGS_MAX_FRAME_SIZE (0x5): Sends the value above the maximum allowed frame
    /// size.
    pub fn client_6_5_2__3(c: &mut Client) -> Outcome {
        settings_error(c, (MAX_FRAME_SIZE, 1 << 24), PROTOCOL_ERROR)
    }

    /// 6.5.2 Sends a SETTINGS frame with unknown identifier.
    pub fn client_6_5_2__4(c: &mut Client) -> Outcome {
        c.read_preface_and_settings()?;
        c.write_settings(&[(0xff, 1)]);
        c.write_ping(false, [0; 8]);
        c.verify_ping_ack([0; 8])
    }

    /// 6.5.3 Sends a SETTINGS frame without ACK flag.
    pub fn client_6_5_3__1(c: &mut Client) -> Outcome {
        c.read_preface_and_settings()?;
        c.write_settings(&[(MAX_CONCURRENT_STREAMS, 100)]);
        c.verify_settings_ack()
    }

    /// 6.7 Sends a PING frame.
    pub fn client_6_7__1(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.write_ping(false, H2SPEC);
        c.verify_ping_ack(H2SPEC)
    }

    /// 6.7 Sends a PING frame with ACK.
    pub fn client_6_7__2(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.write_ping(true, *b"invalid\0");
        c.write_ping(false, H2SPEC);
        c.verify_ping_ack(H2SPEC)
    }

    /// 6.7 Sends a PING frame with a stream identifier field value other than 0x0.
    pub fn client_6_7__3(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.send(b"\x00\x00\x08\x06\x00\x00\x00\x00\x01");
        c.send(&[0; 8]);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.7 Sends a PING frame with a length field value other than 8.
    pub fn client_6_7__4(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.send(b"\x00\x00\x06\x06\x00\x00\x00\x00\x00");
        c.send(&[0; 6]);
        c.verify_connection_error(&[FRAME_SIZE_ERROR])
    }

    /// 6.8 Sends a GOAWAY frame with a stream identifier other than 0x0.
    pub fn client_6_8__1(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.send(b"\x00\x00\x08\x07\x00\x00\x00\x00\x01");
        c.send(&[0; 8]);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.9 Sends a WINDOW_UPDATE frame with a flow control window increment of 0.
    pub fn client_6_9__1(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.write_window_update(0, 0);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.9 Sends a WINDOW_UPDATE frame with a flow control window increment of 0 on a stream.
    pub fn client_6_9__2(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, false, true);
        c.write_window_update(stream, 0);
        c.verify_stream_error(&[PROTOCOL_ERROR])
    }

    /// 6.9 Sends a WINDOW_UPDATE frame with a length other than 4 octets.
    pub fn client_6_9__3(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.send(b"\x00\x00\x03\x08\x00\x00\x00\x00\x00");
        c.send(b"\x00\x00\x01");
        c.verify_connection_error(&[FRAME_SIZE_ERROR])
    }

    /// 6.9.1 Sends multiple WINDOW_UPDATE frames increasing the flow control window to above
    /// 2^31-1.
    pub fn client_6_9_1__1(c: &mut Client) -> Outcome {
        c.handshake_as_server()?;
        c.write_window_update(0, 0x7fff_ffff);
        c.write_window_update(0, 0x7fff_ffff);
        let f = c.wait_event_by_type(GOAWAY)?;
        check_code(&f, &[FLOW_CONTROL_ERROR], "GOAWAY")
    }

    /// 6.9.1 Sends multiple WINDOW_UPDATE frames increasing the flow control window to above
    /// 2^31-1 on a stream (the request's stream, half-closed (local) after its END_STREAM:
    /// its send window still counts).
    pub fn client_6_9_1__2(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, false, true);
        c.write_window_update(stream, 0x7fff_ffff);
        c.write_window_update(stream, 0x7fff_ffff);
        let f = c.wait_event_by_type(RST_STREAM)?;
        if f.stream != stream {
            return Err(format!(
                "expected RST_STREAM on stream {stream}, got {}",
                f.describe()
            ));
        }
        check_code(&f, &[FLOW_CONTROL_ERROR], "RST_STREAM")
    }

    /// 6.10 Sends multiple CONTINUATION frames preceded by a HEADERS frame.
    pub fn client_6_10__1(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, true, false);
        dummy_continuation(c, stream, false);
        dummy_continuation(c, stream, true);
        c.write_ping(false, [0; 8]);
        c.verify_ping_ack([0; 8])
    }

    /// 6.10 Sends a CONTINUATION frame followed by any frame other than CONTINUATION.
    pub fn client_6_10__2(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, false, false);
        dummy_continuation(c, stream, false);
        c.write_data(stream, true, b"test");
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.10 Sends a CONTINUATION frame with 0x0 stream identifier.
    pub fn client_6_10__3(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, true, false);
        dummy_continuation(c, 0, true);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.10 Sends a CONTINUATION frame preceded by a HEADERS frame with END_HEADERS flag.
    pub fn client_6_10__4(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, true, true);
        dummy_continuation(c, stream, true);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.10 Sends a CONTINUATION frame preceded by a CONTINUATION frame with END_HEADERS flag.
    pub fn client_6_10__5(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, true, false);
        dummy_continuation(c, stream, true);
        dummy_continuation(c, stream, true);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }

    /// 6.10 Sends a CONTINUATION frame preceded by a DATA frame.
    pub fn client_6_10__6(c: &mut Client) -> Outcome {
        let stream = request(c)?;
        c.write_response(stream, false, false);
        c.write_data(stream, true, b"test");
        dummy_continuation(c, stream, false);
        dummy_continuation(c, 0, true);
        c.verify_connection_error(&[PROTOCOL_ERROR])
    }
}

/// The catalogue is h2spec's 57 client cases, ids unique; all pass (a summary line).
#[test]
fn client_catalogue_and_summary() {
    assert_eq!(CLIENT_CASES.len(), 57, "h2spec's client cases");
    let mut ids: Vec<&str> = CLIENT_CASES.iter().map(|c| c.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), CLIENT_CASES.len(), "duplicate ids");
    let failures: Vec<String> = CLIENT_CASES
        .iter()
        .filter_map(|case| run_client_case(case, usize::MAX).err())
        .collect();
    println!(
        "h2spec-equivalent client: {}/{} cases",
        CLIENT_CASES.len() - failures.len(),
        CLIENT_CASES.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every client case again with the peer's writes fed byte by byte and in 7-byte pieces.
#[test]
fn client_split_writes() {
    for chunk in [1, 7] {
        let failures: Vec<String> = CLIENT_CASES
            .iter()
            .filter_map(|case| run_client_case(case, chunk).err())
            .collect();
        assert!(
            failures.is_empty(),
            "writes split into {chunk}-byte pieces:\n{}",
            failures.join("\n\n")
        );
    }
}
