//! Memory per idle connection: ours against hyperium `h2`, measured with a counting allocator.
//!
//! `cargo run --release -p bench --bin memory`
//!
//! A binary of its own because the counting allocator would slow down every `compare` race.
//!
//! Both sides: N client/server pairs after the preface and SETTINGS exchange, with nothing in
//! flight, counting the heap bytes still held per connection endpoint. hyperium h2 also holds
//! its tokio tasks and the duplex pipe's buffers (its transport); ours holds only the state
//! machine (the IO layer's buffers are the caller's).
// A global allocator cannot be written without `unsafe`: it only forwards to `System`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use h2_proto::{Config, Connection};
use wire_codec::Instant;

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const PAIRS: usize = 500;

fn ours() -> f64 {
    let mut buf = vec![0u8; 16 * 1024];
    let before = LIVE.load(Ordering::Relaxed);
    // The connections live in this vector: its allocation is their inline size.
    let mut pairs = Vec::with_capacity(PAIRS);
    for _ in 0..PAIRS {
        let mut client = Connection::client(Config::default(), Instant::ZERO);
        let mut server = Connection::server(Config::default(), Instant::ZERO);
        for _ in 0..3 {
            loop {
                let n = client.poll_transmit(Instant::ZERO, &mut buf);
                if n == 0 {
                    break;
                }
                server.handle_input(&buf[..n], Instant::ZERO).unwrap();
            }
            loop {
                let n = server.poll_transmit(Instant::ZERO, &mut buf);
                if n == 0 {
                    break;
                }
                client.handle_input(&buf[..n], Instant::ZERO).unwrap();
            }
            while client.poll_event().is_some() {}
            while server.poll_event().is_some() {}
        }
        pairs.push((client, server));
    }
    let held = LIVE.load(Ordering::Relaxed) - before;
    drop(pairs);
    held as f64 / (2 * PAIRS) as f64
}

fn hyper() -> f64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let before = LIVE.load(Ordering::Relaxed);
        let mut keep = Vec::with_capacity(PAIRS);
        for _ in 0..PAIRS {
            let (c, s) = tokio::io::duplex(16 * 1024);
            let server = tokio::spawn(async move {
                let mut conn = h2::server::handshake(s).await.unwrap();
                // Stay idle until the client goes away.
                while conn.accept().await.is_some() {}
            });
            let (client, conn) = h2::client::handshake(c).await.unwrap();
            let driver = tokio::spawn(async move {
                let _ = conn.await;
            });
            let client = client.ready().await.unwrap();
            keep.push((client, server, driver));
        }
        // Let the SETTINGS exchange settle.
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        let held = LIVE.load(Ordering::Relaxed) - before;
        drop(keep);
        held as f64 / (2 * PAIRS) as f64
    })
}

fn main() {
    let ours = ours();
    let theirs = hyper();
    println!(
        "h2-idle-memory ours={:.0}B peer(h2)={:.0}B ratio={:.2} (heap bytes per idle connection endpoint; ratio = peer ÷ ours, higher is better)",
        ours,
        theirs,
        theirs / ours
    );
}
