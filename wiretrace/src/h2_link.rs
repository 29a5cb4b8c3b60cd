//! The IO half of every HTTP/2 connection in wiretrace (`serve`, `fetch --http2`, WebSocket
//! over extended CONNECT): a blocking TCP stream read in short waits, so that the connection's
//! timers (the SETTINGS ACK timeout) fire while the peer is quiet, the transmit loop, and the
//! bytes each way kept for the frame trace when asked.

use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use h2_proto::{Connection as H2, H2Error};
use wire_codec::Instant;

use crate::clock;

/// How long one read waits before the loop checks the timers again.
const READ_WAIT: Duration = Duration::from_millis(50);

/// What one [`Link::receive`] brought.
pub enum Received {
    /// The peer closed the TCP connection.
    Closed,
    /// Nothing within the wait.
    Quiet,
    /// Bytes, fed to the connection; an error is the connection error they caused (its GOAWAY
    /// is queued for the next [`Link::flush`]).
    Fed(Result<(), H2Error>),
}

/// An HTTP/2 connection and the TCP stream under it.
pub struct Link {
    /// The state machine.
    pub h2: H2,
    stream: TcpStream,
    buf: Vec<u8>,
    record: bool,
    /// Every byte written, when recording.
    pub sent: Vec<u8>,
    /// Every byte read, when recording.
    pub received: Vec<u8>,
}

impl Link {
    /// Drives `h2` over `stream`; with `record`, keeps the bytes each way.
    pub fn new(h2: H2, stream: TcpStream, record: bool) -> io::Result<Self> {
        stream.set_read_timeout(Some(READ_WAIT))?;
        Ok(Self {
            h2,
            stream,
            buf: vec![0u8; 64 * 1024],
            record,
            sent: Vec::new(),
            received: Vec::new(),
        })
    }

    /// Fires the connection's timer if it is due, and returns the time.
    pub fn tick(&mut self) -> Instant {
        let now = clock::now();
        if self.h2.poll_timeout().is_some_and(|t| t <= now) {
            self.h2.handle_timeout(now);
        }
        now
    }

    /// Writes everything the connection has to send.
    pub fn flush(&mut self, now: Instant) -> io::Result<()> {
        loop {
            let n = self.h2.poll_transmit(now, &mut self.buf);
            if n == 0 {
                return Ok(());
            }
            self.stream.write_all(&self.buf[..n])?;
            if self.record {
                self.sent.extend_from_slice(&self.buf[..n]);
            }
        }
    }

    /// Feeds bytes that were read before the link took over (those after an upgrade's head).
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), H2Error> {
        if self.record {
            self.received.extend_from_slice(bytes);
        }
        self.h2.handle_input(bytes, clock::now()).map(drop)
    }

    /// Waits at most a short while for bytes from the peer and feeds them.
    pub fn receive(&mut self) -> io::Result<Received> {
        match self.stream.read(&mut self.buf) {
            Ok(0) => Ok(Received::Closed),
            Ok(n) => {
                if self.record {
                    self.received.extend_from_slice(&self.buf[..n]);
                }
                let fed = self.h2.handle_input(&self.buf[..n], clock::now());
                Ok(Received::Fed(fed.map(drop)))
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                Ok(Received::Quiet)
            }
            Err(e) => Err(e),
        }
    }
}
