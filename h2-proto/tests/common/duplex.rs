//! Running our [`Connection`] against hyperium `h2` over an in-memory tokio duplex.

use h2_proto::{Connection, Event};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

use super::NOW;

/// Runs `conn` over `io` until the handler says done (`true`: what is queued is still
/// flushed, later events are not handled) or the peer closes. A connection error fails the
/// test.
pub async fn drive(
    conn: &mut Connection,
    io: &mut DuplexStream,
    mut handler: impl FnMut(&mut Connection, Event) -> bool,
) {
    let mut inp = vec![0u8; 64 * 1024];
    loop {
        if !flush(conn, io).await {
            return; // The peer closed the connection.
        }
        let mut any = false;
        while let Some(event) = conn.poll_event() {
            any = true;
            if let Event::ConnectionError(e) = &event {
                panic!("connection error: {e:?}");
            }
            if handler(conn, event) {
                flush(conn, io).await;
                return;
            }
        }
        if any {
            continue;
        }
        let n = io.read(&mut inp).await.unwrap_or(0);
        if n == 0 {
            return;
        }
        conn.handle_input(&inp[..n], NOW).unwrap();
    }
}

/// Writes everything `conn` has queued; false when the peer closed.
async fn flush(conn: &mut Connection, io: &mut DuplexStream) -> bool {
    let mut out = vec![0u8; 64 * 1024];
    loop {
        let n = conn.poll_transmit(NOW, &mut out);
        if n == 0 {
            return true;
        }
        if io.write_all(&out[..n]).await.is_err() {
            return false;
        }
    }
}
