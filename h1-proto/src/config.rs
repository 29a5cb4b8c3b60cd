//! Limits and leniencies. Every limit bounds something the peer controls; every leniency is off
//! by default and none of them lets two parsers disagree on where a message ends.

/// Connection and parser settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Largest head (start line, field lines and the empty line), in bytes. Beyond it: 431.
    pub max_head_size: usize,
    /// Most field lines in a head or a trailer section. Beyond it: 431.
    pub max_fields: usize,
    /// Longest chunk line (size and extensions, RFC 9112 §7.1.1). Beyond it: 400.
    pub max_chunk_line: usize,
    /// Most bytes of chunk extensions in one message. Beyond it: 400.
    pub max_chunk_extensions: usize,
    /// Largest trailer section (RFC 9112 §7.1.2), in bytes. Beyond it: 400.
    pub max_trailer_size: usize,
    /// Most unprocessed input a connection buffers; `handle_input` accepts no more until the
    /// events behind it are polled. Must be at least `max_head_size`.
    pub max_buffer: usize,
    /// Tolerated deviations, all off by default.
    pub leniency: Leniency,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_head_size: 16 * 1024,
            max_fields: 128,
            max_chunk_line: 4 * 1024,
            max_chunk_extensions: 16 * 1024,
            max_trailer_size: 16 * 1024,
            max_buffer: 64 * 1024,
            leniency: Leniency::default(),
        }
    }
}

impl Config {
    /// This configuration with `leniency`.
    pub fn with_leniency(mut self, leniency: Leniency) -> Self {
        self.leniency = leniency;
        self
    }
}

/// Deviations from RFC 9112 that some real peers need. Each is named after what it accepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Leniency {
    /// Accept a bare LF as the end of a line in heads (RFC 9112 §2.2 allows it as a MAY). Chunk
    /// lines still need CRLF.
    pub bare_lf_in_heads: bool,
    /// Accept obs-fold in response heads, replacing each fold by spaces (RFC 9112 §5.2).
    pub obs_fold_in_responses: bool,
    /// Accept whitespace between a field name and the colon in responses, dropping it (RFC 9112
    /// §5.1 requires proxies to remove it from responses).
    pub whitespace_before_colon_in_responses: bool,
    /// Accept Content-Length with Transfer-Encoding: the latter wins and the connection closes
    /// after the message (RFC 9112 §6.3 item 3).
    pub transfer_encoding_overrides_content_length: bool,
}

impl Leniency {
    /// Every leniency on (as tolerant as a browser; still refuses smuggling vectors).
    pub fn all() -> Self {
        Self {
            bare_lf_in_heads: true,
            obs_fold_in_responses: true,
            whitespace_before_colon_in_responses: true,
            transfer_encoding_overrides_content_length: true,
        }
    }
}
