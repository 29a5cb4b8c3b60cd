//! RFC 7692 (permessage-deflate) §7.2.3 examples.

/// §7.2.3.1: "Hello" compressed into one DEFLATE block and sync-flushed, before the tail is
/// stripped.
pub const HELLO_FLUSHED: &str = "f2 48 cd c9 c9 07 00 00 00 ff ff";
/// §7.2.3.1: the message payload after stripping `00 00 ff ff`.
pub const HELLO_PAYLOAD: &str = "f2 48 cd c9 c9 07 00";
/// §7.2.3.1: that payload in one unmasked frame (FIN, RSV1, text).
pub const HELLO_FRAME: &str = "c1 07 f2 48 cd c9 c9 07 00";
/// §7.2.3.1: the same payload fragmented into 3 and 4 bytes (RSV1 on the first frame only).
pub const HELLO_FRAGMENTS: [&str; 2] = ["41 03 f2 48 cd", "80 04 c9 c9 07 00"];
/// §7.2.3.2: the second "Hello" when the LZ77 window is taken over.
pub const HELLO_WITH_CONTEXT: &str = "f2 00 11 00 00";
/// §7.2.3.3: "Hello" in a DEFLATE block with no compression, one frame.
pub const HELLO_STORED_FRAME: &str = "c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00";
/// §7.2.3.4: "Hello" in a block with BFINAL set, then an empty stored block's header.
pub const HELLO_BFINAL_PAYLOAD: &str = "f3 48 cd c9 c9 07 00 00";
/// §7.2.3.5: "He" and "llo" in two DEFLATE blocks in one message.
pub const HELLO_TWO_BLOCKS_PAYLOAD: &str = "f2 48 05 00 00 00 ff ff ca c9 c9 07 00";
/// §7.2.3.6: an empty uncompressed DEFLATE block: a final fragment carrying no data.
pub const EMPTY_BLOCK: &str = "00";

/// Every payload above (with the bytes it decompresses to) as the RFC prints it, for checking
/// the transcription against the RFC text.
pub const ALL: [(&str, &[u8]); 8] = [
    (HELLO_FLUSHED, b"Hello"),
    (HELLO_PAYLOAD, b"Hello"),
    (HELLO_FRAME, b"Hello"),
    (HELLO_WITH_CONTEXT, b"Hello"),
    (HELLO_STORED_FRAME, b"Hello"),
    (HELLO_BFINAL_PAYLOAD, b"Hello"),
    (HELLO_TWO_BLOCKS_PAYLOAD, b"Hello"),
    (EMPTY_BLOCK, b""),
];
