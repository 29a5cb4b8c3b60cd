//! HPACK decode and encode (RFC 7541) over the hpack-test-case stories: `qpack-hpack` against
//! hyperium `h2` (its `unstable` feature exposes `Codec` and `frame`; its hpack module stays
//! private, so it is driven through `Codec` over an in-memory stream).
//!
//! What each side includes, so the comparison is fair:
//! - decode: both sides consume the same byte stream of HTTP/2 HEADERS frames (one per header
//!   block, END_HEADERS set, odd stream ids), one fresh decoder context per story. h2 runs its
//!   frame layer (`FramedRead`: 9-byte header, payload split), HPACK decoding and HeaderMap
//!   construction (header-name parsing and validation). Ours parses the same 9-byte frame
//!   headers with `wire_codec::Reader`, decodes the block, and copies every field's name and
//!   value into an owned list (an arena of bytes plus offsets), as an application would. h2's
//!   HeaderMap holds `Bytes` slices of its read buffer for raw strings and copies Huffman
//!   strings; both sides therefore own every decoded field at the end. h2 rejects blocks with
//!   connection-specific fields (`connection`, `keep-alive`, …) after decoding them in full
//!   (it must, to keep the table in sync), so its work on them is the same.
//! - encode: each block is handed over as a fresh owned header list: for h2 a clone of a
//!   prepared `(Pseudo, HeaderMap)` (reference-counted `Bytes`, no per-field copy) turned into
//!   `Frame::Headers` and passed to `Codec::buffer`, then flushed into a sink; for ours a fresh
//!   `Vec<Field>` borrowing the prepared bytes, encoded after a 9-byte frame header into a
//!   reused `Vec` (no IO). Both use a 4096-byte dynamic table and one context per story.
//! - Huffman: decoding of long Huffman-coded values (≥ 64 bytes decoded, from the stories), as
//!   literal-without-indexing fields in HEADERS frames through both full decoders above, in
//!   MB/s of Huffman-coded input.

use std::io;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures_core::Stream;
use h2::Codec;
use h2::frame::{BytesStr, Frame, Headers, Pseudo, StreamId};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use qpack_hpack::hpack::{Decoder, DecoderConfig, Encoder, EncoderConfig, Field};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use wire_codec::Reader;

use crate::{Comparison, race};

/// One header list: `(name, value)` pairs in order.
pub type HeaderList = Vec<(Vec<u8>, Vec<u8>)>;

/// A story of the corpus: header lists that share one HPACK context, in order, with their
/// encodings where the file has them.
#[derive(Debug, Clone)]
pub struct Story {
    /// The header lists.
    pub lists: Vec<HeaderList>,
    /// The encoded blocks (empty for raw-data).
    pub blocks: Vec<Vec<u8>>,
}

fn load_dir(dir: &Path) -> Vec<Story> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    files
        .iter()
        .filter_map(|path| {
            let json: Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
            let mut story = Story {
                lists: Vec::new(),
                blocks: Vec::new(),
            };
            for case in json["cases"].as_array()? {
                let list = case["headers"]
                    .as_array()?
                    .iter()
                    .filter_map(|h| {
                        let (name, value) = h.as_object()?.iter().next()?;
                        Some((
                            name.as_bytes().to_vec(),
                            value.as_str()?.as_bytes().to_vec(),
                        ))
                    })
                    .collect();
                story.lists.push(list);
                if let Some(wire) = case["wire"].as_str() {
                    story.blocks.push(testvectors::hex(wire));
                }
            }
            Some(story)
        })
        .collect()
}

/// The raw-data stories (encoder input) and every implementation's encoded stories (decoder
/// input), or `None` if the corpus is missing.
pub fn corpus() -> Option<(Vec<Story>, Vec<Story>)> {
    let root = testvectors::shared::corpus("hpack-test-case")?;
    let raw = load_dir(&root.join("raw-data"));
    let mut encoded = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && !p.ends_with("raw-data"))
        .collect();
    dirs.sort();
    for dir in dirs {
        encoded.extend(load_dir(&dir));
    }
    Some((raw, encoded))
}

/// A story's blocks as one byte stream of HEADERS frames (type 0x1, END_HEADERS), stream ids
/// 1, 3, 5, …
pub fn frames(blocks: &[Vec<u8>]) -> Bytes {
    let mut out = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let len = block.len() as u32;
        out.extend_from_slice(&len.to_be_bytes()[1..]);
        out.extend_from_slice(&[0x1, 0x4]);
        out.extend_from_slice(&(2 * i as u32 + 1).to_be_bytes());
        out.extend_from_slice(block);
    }
    Bytes::from(out)
}

/// Decoded fields, owned: every name and value copied into one arena.
#[derive(Debug, Default)]
pub struct OwnedList {
    bytes: Vec<u8>,
    /// `(name end, value end)` offsets into `bytes` per field.
    ends: Vec<(usize, usize)>,
}

/// Decodes every story's frames with ours, returning the number of fields decoded.
pub fn decode_ours(stories: &[Bytes], list: &mut OwnedList) -> u64 {
    let mut fields = 0u64;
    for frames in stories {
        let mut decoder = Decoder::new(DecoderConfig::default());
        let mut reader = Reader::new(frames);
        while let Ok(len) = reader.read_u24() {
            // Type, flags, stream id: this stream holds only HEADERS with END_HEADERS.
            let _ = reader.skip(6);
            let Ok(block) = reader.read_bytes(len as usize) else {
                break;
            };
            list.bytes.clear();
            list.ends.clear();
            let result = decoder.decode(block, |f| {
                list.bytes.extend_from_slice(f.name);
                let name_end = list.bytes.len();
                list.bytes.extend_from_slice(f.value);
                list.ends.push((name_end, list.bytes.len()));
            });
            if result.is_ok() {
                fields += list.ends.len() as u64;
            }
        }
    }
    fields
}

/// An in-memory stream: reads come from `input`, writes are counted and dropped.
#[derive(Debug)]
pub struct MemoryIo {
    input: Bytes,
    /// Bytes written so far.
    pub written: u64,
}

impl MemoryIo {
    /// Reads will return `input`, then end of stream.
    pub fn new(input: Bytes) -> Self {
        Self { input, written: 0 }
    }
}

impl AsyncRead for MemoryIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = buf.remaining().min(self.input.len());
        let chunk = self.input.split_to(n);
        buf.put_slice(&chunk);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for MemoryIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.written += buf.len() as u64;
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Decodes every story's frames with h2's `Codec`, returning the number of fields in the
/// frames it accepted and the number of frames it decoded (accepted or reset as malformed).
pub fn decode_h2(stories: &[Bytes]) -> (u64, u64) {
    let mut cx = Context::from_waker(Waker::noop());
    let mut fields = 0u64;
    let mut frames = 0u64;
    for stream in stories {
        let mut codec: Codec<MemoryIo, Bytes> = Codec::new(MemoryIo::new(stream.clone()));
        codec.set_max_recv_frame_size(16_777_215);
        loop {
            match Pin::new(&mut codec).poll_next(&mut cx) {
                Poll::Ready(Some(Ok(Frame::Headers(headers)))) => {
                    let (pseudo, map) = headers.into_parts();
                    fields += map.len() as u64 + pseudo_count(&pseudo);
                    frames += 1;
                }
                // A block h2 rejects (connection-specific fields, pseudo-headers after
                // regular ones): decoded in full, then the stream is reset.
                Poll::Ready(Some(_)) => frames += 1,
                Poll::Ready(None) | Poll::Pending => break,
            }
        }
    }
    (fields, frames)
}

fn pseudo_count(p: &Pseudo) -> u64 {
    [
        p.method.is_some(),
        p.scheme.is_some(),
        p.authority.is_some(),
        p.path.is_some(),
        p.protocol.is_some(),
        p.status.is_some(),
    ]
    .iter()
    .filter(|&&b| b)
    .count() as u64
}

/// A header list prepared for h2: pseudo-header parts and a HeaderMap. Fields h2 cannot
/// represent (invalid names or values, unknown pseudo-headers) are left out of both sides'
/// input.
#[derive(Debug, Clone, Default)]
pub struct H2List {
    method: Option<Method>,
    scheme: Option<BytesStr>,
    authority: Option<BytesStr>,
    path: Option<BytesStr>,
    status: Option<StatusCode>,
    map: HeaderMap,
}

impl H2List {
    fn pseudo(&self) -> Pseudo {
        Pseudo {
            method: self.method.clone(),
            scheme: self.scheme.clone(),
            authority: self.authority.clone(),
            path: self.path.clone(),
            protocol: None,
            status: self.status,
        }
    }
}

/// Converts a list for h2, returning it and the list of fields both sides encode (pseudo
/// first, then regular fields in HeaderMap order, which groups repeated names).
pub fn prepare_h2(list: &HeaderList) -> (H2List, HeaderList) {
    let mut h2 = H2List::default();
    let mut pseudo = Vec::new();
    let bytes_str = |v: &[u8]| BytesStr::try_from(Bytes::copy_from_slice(v)).ok();
    for (name, value) in list {
        let accepted = match name.as_slice() {
            b":method" if h2.method.is_none() => {
                h2.method = Method::from_bytes(value).ok();
                h2.method.is_some()
            }
            b":scheme" if h2.scheme.is_none() => {
                h2.scheme = bytes_str(value);
                h2.scheme.is_some()
            }
            b":authority" if h2.authority.is_none() => {
                h2.authority = bytes_str(value);
                h2.authority.is_some()
            }
            b":path" if h2.path.is_none() => {
                h2.path = bytes_str(value);
                h2.path.is_some()
            }
            b":status" if h2.status.is_none() => {
                h2.status = StatusCode::from_bytes(value).ok();
                h2.status.is_some()
            }
            n if n.starts_with(b":") => false,
            _ => {
                if let (Ok(n), Ok(v)) =
                    (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
                {
                    h2.map.append(n, v);
                }
                false
            }
        };
        if accepted {
            pseudo.push((name.clone(), value.clone()));
        }
    }
    // h2 encodes pseudo-headers in its own order: method, scheme, authority, path, status.
    let order: [&[u8]; 5] = [b":method", b":scheme", b":authority", b":path", b":status"];
    pseudo.sort_by_key(|(n, _)| order.iter().position(|o| o == n));
    let mut ours = pseudo;
    for (name, value) in h2.map.iter() {
        ours.push((name.as_str().as_bytes().to_vec(), value.as_bytes().to_vec()));
    }
    (h2, ours)
}

/// Encodes every story with ours (a fresh context per story), each block after a 9-byte frame
/// header, returning the bytes produced.
pub fn encode_ours(stories: &[Vec<HeaderList>], out: &mut Vec<u8>) -> u64 {
    let mut total = 0u64;
    for story in stories {
        let mut encoder = Encoder::new(EncoderConfig::default());
        out.clear();
        for (i, list) in story.iter().enumerate() {
            let start = out.len();
            out.extend_from_slice(&[0, 0, 0, 0x1, 0x4]);
            out.extend_from_slice(&(2 * i as u32 + 1).to_be_bytes());
            // A fresh owned list per block, as h2 gets a fresh HeaderMap.
            let fields: Vec<Field<'_>> = list.iter().map(|(n, v)| Field::new(n, v)).collect();
            encoder.encode(fields, out);
            let len = (out.len() - start - 9) as u32;
            if let Some(header) = out.get_mut(start..start + 3) {
                header.copy_from_slice(&len.to_be_bytes()[1..]);
            }
        }
        total += out.len() as u64;
    }
    total
}

/// Encodes every story with h2's `Codec` (a fresh context per story), returning the bytes
/// written.
pub fn encode_h2(stories: &[Vec<H2List>]) -> u64 {
    let mut cx = Context::from_waker(Waker::noop());
    let mut total = 0u64;
    for story in stories {
        let mut codec: Codec<MemoryIo, Bytes> = Codec::new(MemoryIo::new(Bytes::new()));
        codec.set_max_send_frame_size(16_777_215);
        for (i, list) in story.iter().enumerate() {
            let _ = codec.poll_ready(&mut cx);
            let mut headers = Headers::new(
                StreamId::from(2 * i as u32 + 1),
                list.pseudo(),
                list.map.clone(),
            );
            headers.set_end_headers();
            let _ = codec.buffer(Frame::Headers(headers));
        }
        let _ = codec.flush(&mut cx);
        total += codec.get_ref().written;
    }
    total
}

/// Long Huffman-coded values as literal-without-indexing fields, several per block, framed.
pub fn huffman_frames(raw: &[Story]) -> (Vec<Bytes>, u64) {
    let mut values: Vec<&[u8]> = raw
        .iter()
        .flat_map(|s| s.lists.iter().flatten())
        .map(|(_, v)| v.as_slice())
        .filter(|v| v.len() >= 64)
        .collect();
    values.sort();
    values.dedup();
    let mut blocks = Vec::new();
    let mut coded_bytes = 0u64;
    for chunk in values.chunks(8) {
        let mut block = Vec::new();
        for value in chunk {
            // Without indexing, name index 58 (user-agent), Huffman value.
            block.push(0x0f);
            block.push(58 - 15);
            let mut coded = Vec::new();
            let _ = qpack_hpack::huffman::encode(value, &mut coded);
            let _ = qpack_hpack::prefix_int::encode(&mut block, 0x80, 7, coded.len() as u64);
            block.extend_from_slice(&coded);
            coded_bytes += coded.len() as u64;
        }
        blocks.push(block);
    }
    (vec![frames(&blocks)], coded_bytes)
}

/// `hpack-decode`, `hpack-encode` and `hpack-huffman-decode`, or nothing without the corpus.
pub fn compare() -> Vec<Comparison> {
    let Some((raw, encoded)) = corpus() else {
        return Vec::new();
    };
    let mut results = Vec::new();

    let streams: Vec<Bytes> = encoded.iter().map(|s| frames(&s.blocks)).collect();
    let mut list = OwnedList::default();
    let total_fields: u64 = encoded
        .iter()
        .flat_map(|s| &s.lists)
        .map(|l| l.len() as u64)
        .sum();
    assert_eq!(decode_ours(&streams, &mut list), total_fields);
    let (ours, theirs) = race(
        total_fields,
        || decode_ours(&streams, &mut list),
        || decode_h2(&streams).1,
    );
    results.push(Comparison {
        name: "hpack-decode".into(),
        peer: "h2".into(),
        ours: ours / 1e6,
        theirs: theirs / 1e6,
        unit: "Mfield/s".into(),
    });

    let prepared: Vec<Vec<(H2List, HeaderList)>> = raw
        .iter()
        .map(|s| s.lists.iter().map(prepare_h2).collect())
        .collect();
    let h2_lists: Vec<Vec<H2List>> = prepared
        .iter()
        .map(|s| s.iter().map(|(h, _)| h.clone()).collect())
        .collect();
    let our_lists: Vec<Vec<HeaderList>> = prepared
        .iter()
        .map(|s| s.iter().map(|(_, o)| o.clone()).collect())
        .collect();
    let fields: u64 = our_lists.iter().flatten().map(|l| l.len() as u64).sum();
    let mut out = Vec::new();
    let (ours, theirs) = race(
        fields,
        || encode_ours(&our_lists, &mut out),
        || encode_h2(&h2_lists),
    );
    results.push(Comparison {
        name: "hpack-encode".into(),
        peer: "h2".into(),
        ours: ours / 1e6,
        theirs: theirs / 1e6,
        unit: "Mfield/s".into(),
    });

    let (huffman, coded_bytes) = huffman_frames(&raw);
    let (ours, theirs) = race(
        coded_bytes,
        || decode_ours(&huffman, &mut list),
        || decode_h2(&huffman).1,
    );
    results.push(Comparison {
        name: "hpack-huffman-decode".into(),
        peer: "h2".into(),
        ours: ours / 1e6,
        theirs: theirs / 1e6,
        unit: "MB/s".into(),
    });
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both decoders read the same fields from the benchmark input, and both encodings of the
    /// benchmark lists decode (with our decoder) to the lists handed over.
    #[test]
    fn both_sides_do_the_same_work() {
        let Some((raw, encoded)) = corpus() else {
            return;
        };
        let streams: Vec<Bytes> = encoded.iter().take(40).map(|s| frames(&s.blocks)).collect();
        let mut list = OwnedList::default();
        let ours = decode_ours(&streams, &mut list);
        let (theirs, frames) = decode_h2(&streams);
        let blocks: usize = encoded.iter().take(40).map(|s| s.blocks.len()).sum();
        assert_eq!(frames, blocks as u64, "h2 decoded every block");
        assert!(ours >= theirs, "{ours} vs {theirs}");

        for story in raw.iter().take(4) {
            let prepared: Vec<(H2List, HeaderList)> = story.lists.iter().map(prepare_h2).collect();
            let our_lists: Vec<HeaderList> = prepared.iter().map(|(_, o)| o.clone()).collect();
            let mut out = Vec::new();
            encode_ours(std::slice::from_ref(&our_lists), &mut out);
            let h2_bytes = encode_h2(&[prepared.iter().map(|(h, _)| h.clone()).collect()]);
            assert!(h2_bytes > 0);
            // Our frames decode back to the lists.
            let mut decoder = Decoder::new(DecoderConfig::default());
            let mut reader = Reader::new(&out);
            for expected in &our_lists {
                let len = reader.read_u24().unwrap() as usize;
                reader.skip(6).unwrap();
                let block = reader.read_bytes(len).unwrap();
                let got: HeaderList = decoder
                    .decode_to_vec(block)
                    .unwrap()
                    .into_iter()
                    .map(|h| (h.name, h.value))
                    .collect();
                assert_eq!(&got, expected);
            }
        }
        let (huffman, coded) = huffman_frames(&raw);
        assert!(coded > 10_000);
        assert_eq!(decode_ours(&huffman, &mut list), decode_h2(&huffman).0);
    }

    /// h2's decoder, a second real peer, reads our encoding of every raw-data story (without
    /// the connection-specific fields HTTP/2 forbids, which h2 rejects after decoding): every
    /// block holds exactly our fields.
    #[test]
    fn h2_decodes_our_encoding_of_every_raw_data_story() {
        let Some((raw, _)) = corpus() else {
            return;
        };
        let mut cx = Context::from_waker(Waker::noop());
        let (mut accepted, mut reset) = (0, 0);
        for story in &raw {
            let forbidden: [&[u8]; 6] = [
                b"connection",
                b"keep-alive",
                b"proxy-connection",
                b"transfer-encoding",
                b"upgrade",
                b"te",
            ];
            let lists: Vec<HeaderList> = story
                .lists
                .iter()
                .map(|l| {
                    let mut l = l.clone();
                    l.retain(|(n, _)| !forbidden.contains(&n.as_slice()));
                    prepare_h2(&l).1
                })
                .collect();
            let mut out = Vec::new();
            encode_ours(std::slice::from_ref(&lists), &mut out);
            let mut codec: Codec<MemoryIo, Bytes> = Codec::new(MemoryIo::new(Bytes::from(out)));
            codec.set_max_recv_frame_size(16_777_215);
            let mut expected = lists.iter();
            loop {
                match Pin::new(&mut codec).poll_next(&mut cx) {
                    Poll::Ready(Some(Ok(Frame::Headers(headers)))) => {
                        let list = expected.next().unwrap();
                        let (pseudo, map) = headers.into_parts();
                        let mut got: HeaderList = Vec::new();
                        let pseudo_fields = [
                            (
                                ":method",
                                pseudo.method.as_ref().map(|m| m.as_str().to_string()),
                            ),
                            (":scheme", pseudo.scheme.as_ref().map(|v| v.to_string())),
                            (
                                ":authority",
                                pseudo.authority.as_ref().map(|v| v.to_string()),
                            ),
                            (":path", pseudo.path.as_ref().map(|v| v.to_string())),
                            (":status", pseudo.status.map(|s| s.as_str().to_string())),
                        ];
                        for (name, value) in pseudo_fields {
                            if let Some(value) = value {
                                got.push((name.as_bytes().to_vec(), value.into_bytes()));
                            }
                        }
                        for (name, value) in map.iter() {
                            got.push((
                                name.as_str().as_bytes().to_vec(),
                                value.as_bytes().to_vec(),
                            ));
                        }
                        assert_eq!(&got, list);
                        accepted += 1;
                    }
                    Poll::Ready(Some(Err(h2::proto::Error::Reset(..)))) => {
                        expected.next().unwrap();
                        reset += 1;
                    }
                    Poll::Ready(Some(other)) => panic!("h2 failed on our encoding: {other:?}"),
                    Poll::Ready(None) | Poll::Pending => break,
                }
            }
            assert!(expected.next().is_none(), "h2 decoded every block");
        }
        assert_eq!((accepted, reset), (3384, 0));
    }
}
