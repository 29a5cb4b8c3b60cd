//! Frames checked against a real peer: hyperium `h2`'s frame layer (`h2::Codec` and
//! `h2::frame`, public with its `unstable` feature). Frames it encodes decode with ours, and
//! frames we encode decode with its codec, to the same values.

use std::future::poll_fn;
use std::pin::Pin;

use bytes::Bytes;
use futures_core::Stream;
use h2::frame as peer;
use h2_proto::ErrorCode;
use h2_proto::frame::{self, DEFAULT_MAX_FRAME_SIZE, Frame, StreamId};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

type Codec = h2::Codec<DuplexStream, Bytes>;

fn pair() -> (Codec, DuplexStream) {
    let (a, b) = tokio::io::duplex(1 << 20);
    (Codec::new(a), b)
}

async fn peer_send(codec: &mut Codec, frames: Vec<peer::Frame<Bytes>>) {
    for f in frames {
        poll_fn(|cx| codec.poll_ready(cx)).await.unwrap();
        codec.buffer(f).unwrap();
    }
    poll_fn(|cx| codec.flush(cx)).await.unwrap();
}

async fn peer_recv(codec: &mut Codec) -> peer::Frame {
    poll_fn(|cx| Pin::new(&mut *codec).poll_next(cx))
        .await
        .expect("a frame")
        .expect("the peer decodes our frame")
}

#[tokio::test]
async fn frames_encoded_by_hyperium_decode_with_ours() {
    let (mut codec, mut raw) = pair();
    let mut data = peer::Data::new(peer::StreamId::from(1), Bytes::from_static(b"hello"));
    data.set_end_stream(true);
    let mut settings = peer::Settings::default();
    settings.set_initial_window_size(Some(1 << 20));
    settings.set_max_concurrent_streams(Some(250));
    settings.set_max_frame_size(Some(1 << 15));
    settings.set_enable_push(false);
    let mut headers = peer::Headers::new(
        peer::StreamId::from(3),
        peer::Pseudo::request(
            http::Method::GET,
            "https://example.org/x".parse().unwrap(),
            None,
        ),
        http::HeaderMap::new(),
    );
    headers.set_end_stream();
    peer_send(
        &mut codec,
        vec![
            settings.into(),
            peer::Settings::ack().into(),
            data.into(),
            headers.into(),
            peer::Ping::new(*b"pingpong").into(),
            peer::Ping::pong(*b"pongping").into(),
            peer::WindowUpdate::new(peer::StreamId::zero(), 12345).into(),
            peer::WindowUpdate::new(peer::StreamId::from(1), 7).into(),
            peer::Reset::new(peer::StreamId::from(5), h2::Reason::CANCEL).into(),
            peer::GoAway::with_debug_data(
                peer::StreamId::from(9),
                h2::Reason::ENHANCE_YOUR_CALM,
                Bytes::from_static(b"calm"),
            )
            .into(),
        ],
    )
    .await;
    drop(codec);
    let mut bytes = Vec::new();
    raw.read_to_end(&mut bytes).await.unwrap();

    let mut frames = Vec::new();
    let mut rest = &bytes[..];
    while !rest.is_empty() {
        let (f, n) = frame::decode(rest, DEFAULT_MAX_FRAME_SIZE).unwrap();
        frames.push(f);
        rest = &rest[n..];
    }
    assert_eq!(frames.len(), 10, "{frames:?}");
    let Frame::Settings { ack: false, params } = frames[0] else {
        panic!("{:?}", frames[0])
    };
    let params: Vec<_> = params.iter().collect();
    assert!(
        params.contains(&(frame::setting::INITIAL_WINDOW_SIZE, 1 << 20)),
        "{params:?}"
    );
    assert!(params.contains(&(frame::setting::MAX_CONCURRENT_STREAMS, 250)));
    assert!(params.contains(&(frame::setting::MAX_FRAME_SIZE, 1 << 15)));
    assert!(params.contains(&(frame::setting::ENABLE_PUSH, 0)));
    assert!(matches!(frames[1], Frame::Settings { ack: true, .. }));
    assert_eq!(
        frames[2],
        Frame::Data {
            stream_id: StreamId::new(1),
            end_stream: true,
            padding: None,
            data: b"hello"
        }
    );
    let Frame::Headers {
        stream_id,
        end_stream: true,
        end_headers: true,
        fragment,
        ..
    } = frames[3]
    else {
        panic!("{:?}", frames[3])
    };
    assert_eq!(stream_id, StreamId::new(3));
    assert!(!fragment.is_empty());
    assert_eq!(
        frames[4],
        Frame::Ping {
            ack: false,
            data: *b"pingpong"
        }
    );
    assert_eq!(
        frames[5],
        Frame::Ping {
            ack: true,
            data: *b"pongping"
        }
    );
    assert_eq!(
        frames[6],
        Frame::WindowUpdate {
            stream_id: StreamId::CONNECTION,
            increment: 12345
        }
    );
    assert_eq!(
        frames[7],
        Frame::WindowUpdate {
            stream_id: StreamId::new(1),
            increment: 7
        }
    );
    assert_eq!(
        frames[8],
        Frame::RstStream {
            stream_id: StreamId::new(5),
            error_code: ErrorCode::CANCEL
        }
    );
    assert_eq!(
        frames[9],
        Frame::GoAway {
            last_stream_id: StreamId::new(9),
            error_code: ErrorCode::ENHANCE_YOUR_CALM,
            debug_data: b"calm"
        }
    );
}

/// RFC 7541 C.4.1: `:method GET`, `:scheme http`, `:path /`, `:authority www.example.com`.
const RFC7541_C41: &[u8] = &[
    0x82, 0x86, 0x84, 0x41, 0x8c, 0xf1, 0xe3, 0xc2, 0xe5, 0xf2, 0x3a, 0x6b, 0xa0, 0xab, 0x90, 0xf4,
    0xff,
];

#[tokio::test]
async fn frames_encoded_by_ours_decode_with_hyperium() {
    let (mut codec, mut raw) = pair();
    let mut settings = Vec::new();
    frame::encode_settings(
        &mut settings,
        &[
            (frame::setting::INITIAL_WINDOW_SIZE, 1000),
            (frame::setting::MAX_FRAME_SIZE, 20000),
        ],
    )
    .unwrap();
    let frames = [
        Frame::Data {
            stream_id: StreamId::new(1),
            end_stream: false,
            padding: Some(10),
            data: b"padded body",
        },
        Frame::Data {
            stream_id: StreamId::new(1),
            end_stream: true,
            padding: None,
            data: b"",
        },
        // A header block split across HEADERS and CONTINUATION, padded, with priority fields.
        Frame::Headers {
            stream_id: StreamId::new(3),
            end_stream: true,
            end_headers: false,
            padding: Some(3),
            priority: Some(frame::Priority {
                dependency: StreamId::new(1),
                exclusive: true,
                weight: 200,
            }),
            fragment: &RFC7541_C41[..5],
        },
        Frame::Continuation {
            stream_id: StreamId::new(3),
            end_headers: true,
            fragment: &RFC7541_C41[5..],
        },
        Frame::Ping {
            ack: true,
            data: *b"\0\x01\x02\x03\x04\x05\x06\x07",
        },
        Frame::WindowUpdate {
            stream_id: StreamId::new(3),
            increment: 0x7fff_ffff,
        },
        Frame::RstStream {
            stream_id: StreamId::new(3),
            error_code: ErrorCode::REFUSED_STREAM,
        },
        Frame::GoAway {
            last_stream_id: StreamId::new(3),
            error_code: ErrorCode::NO_ERROR,
            debug_data: b"bye",
        },
    ];
    let mut bytes = settings;
    for f in &frames {
        f.encode(&mut bytes).unwrap();
    }
    raw.write_all(&bytes).await.unwrap();

    match peer_recv(&mut codec).await {
        peer::Frame::Settings(s) => {
            assert_eq!(s.initial_window_size(), Some(1000));
            assert_eq!(s.max_frame_size(), Some(20000));
        }
        f => panic!("{f:?}"),
    }
    match peer_recv(&mut codec).await {
        peer::Frame::Data(d) => {
            assert_eq!(u32::from(d.stream_id()), 1);
            assert!(d.is_padded());
            assert_eq!(&d.payload()[..], b"padded body");
            assert!(!d.is_end_stream());
        }
        f => panic!("{f:?}"),
    }
    match peer_recv(&mut codec).await {
        peer::Frame::Data(d) => assert!(d.is_end_stream() && d.payload().is_empty()),
        f => panic!("{f:?}"),
    }
    match peer_recv(&mut codec).await {
        peer::Frame::Headers(h) => {
            assert_eq!(u32::from(h.stream_id()), 3);
            assert!(h.is_end_stream());
            let (pseudo, _) = h.into_parts();
            assert_eq!(pseudo.method, Some(http::Method::GET));
            assert_eq!(pseudo.scheme.as_deref(), Some("http"));
            assert_eq!(pseudo.path.as_deref(), Some("/"));
            assert_eq!(pseudo.authority.as_deref(), Some("www.example.com"));
        }
        f => panic!("{f:?}"),
    }
    match peer_recv(&mut codec).await {
        peer::Frame::Ping(p) => {
            assert!(p.is_ack() && *p.payload() == *b"\0\x01\x02\x03\x04\x05\x06\x07")
        }
        f => panic!("{f:?}"),
    }
    match peer_recv(&mut codec).await {
        peer::Frame::WindowUpdate(w) => assert_eq!(w.size_increment(), 0x7fff_ffff),
        f => panic!("{f:?}"),
    }
    match peer_recv(&mut codec).await {
        peer::Frame::Reset(r) => assert_eq!(r.reason(), h2::Reason::REFUSED_STREAM),
        f => panic!("{f:?}"),
    }
    match peer_recv(&mut codec).await {
        peer::Frame::GoAway(g) => {
            assert_eq!(u32::from(g.last_stream_id()), 3);
            assert_eq!(g.reason(), h2::Reason::NO_ERROR);
            assert_eq!(&g.debug_data()[..], b"bye");
        }
        f => panic!("{f:?}"),
    }
}
