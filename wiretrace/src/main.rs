//! `wiretrace`: the protocol crates at work. The only crate of the workspace with IO.

mod clock;
mod decode;
mod demo;
mod fetch;
mod fetch_h2;
mod fetch_h2_upgrade;
mod h2_link;
mod input;
mod routes;
mod serve;
mod serve_h2;
mod ws;

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Protocol bytes to a readable trace; HTTP/1.1, HTTP/2, HTTP/3 and WebSocket on loopback.
#[derive(Debug, Parser)]
#[command(name = "wiretrace", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode protocol bytes (hex from arguments, a file or stdin) into a readable trace.
    Decode {
        #[command(subcommand)]
        protocol: decode::Protocol,
    },
    /// Serve the articles' routes on a TCP port.
    Serve {
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Log nothing but the listening address (for load tests).
        #[arg(long)]
        quiet: bool,
    },
    /// Fetch a URL and print what crossed the wire.
    Fetch {
        /// An http:// or ws:// URL.
        url: String,
        /// HTTP/2 over cleartext with prior knowledge; without a path, five parallel
        /// `/api/test` requests on one connection; a ws:// URL runs WebSocket over an
        /// extended CONNECT stream (RFC 8441).
        #[arg(long)]
        http2: bool,
        /// HTTP/2 by HTTP/1.1 Upgrade (h2c, RFC 7540 §3.2): the first request goes out as
        /// HTTP/1.1 asking for `Upgrade: h2c`; after the 101 the rest follow on HTTP/2.
        #[arg(long, conflicts_with = "http2")]
        http2_upgrade: bool,
    },
    /// Run the articles' experiments end to end on loopback, showing every frame.
    Demo,
}

/// A failure that ends the program with a message and a non-zero exit code.
#[derive(Debug)]
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Self(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    let result = match cli.command {
        Command::Decode { protocol } => decode::run(protocol, &mut out),
        Command::Serve { listen, quiet } => {
            // Connection threads log to stdout themselves.
            drop(out);
            serve::run(listen, quiet)
        }
        Command::Fetch {
            url,
            http2_upgrade: true,
            ..
        } => fetch_h2_upgrade::run(&url, &mut out),
        Command::Fetch {
            url, http2: true, ..
        } if url.starts_with("ws://") => ws::fetch_h2(&url, &mut out),
        Command::Fetch {
            url, http2: true, ..
        } => fetch_h2::run(&url, &mut out),
        Command::Fetch { url, .. } => fetch(&url, &mut out),
        Command::Demo => demo::run(&mut out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("wiretrace: {message}");
            ExitCode::FAILURE
        }
    }
}

fn fetch(url: &str, out: &mut impl std::io::Write) -> Result<(), Failure> {
    let (scheme, _) = url.split_once("://").ok_or_else(|| {
        Failure(format!(
            "fetch {url}: not a URL (expected scheme://host/path)"
        ))
    })?;
    match scheme {
        "http" => fetch::run(url, out),
        "ws" => ws::fetch(url, out),
        "https" | "wss" => Err(Failure(format!(
            "fetch {url}: the {scheme} client is not implemented yet"
        ))),
        other => Err(Failure(format!(
            "fetch {url}: unsupported scheme {other:?} (http, https, ws and wss are planned)"
        ))),
    }
}
