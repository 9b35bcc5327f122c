//! Undoing content codings (RFC 9110 §8.4) by hand, with the body cap
//! enforced on every decompressed byte.
//!
//! reqwest's own decoding compares `Content-Encoding` byte for byte with
//! "gzip", "deflate" and "br": `GZIP`, `x-gzip` and lists such as
//! `gzip, identity` were passed on still compressed, and its "deflate" takes
//! only the zlib format, while some servers send raw deflate under that name.
//! Decoding here fixes both and keeps the cap on decompressed bytes.

use std::io::{self, Write};

use reqwest::header::{CONTENT_ENCODING, HeaderMap};

/// The content codings kb asks for in `Accept-Encoding`, and can undo.
pub(crate) const ACCEPT_ENCODING: &str = "gzip, deflate, br";

/// One content coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coding {
    Gzip,
    /// zlib-wrapped (RFC 9110 §8.4.1.2) or, from broken servers, raw deflate.
    Deflate,
    Brotli,
}

impl Coding {
    fn name(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate => "deflate",
            Coding::Brotli => "br",
        }
    }
}

/// Why a body could not be decoded.
#[derive(Debug)]
pub(crate) enum DecodeError {
    /// The decompressed body passed the cap.
    TooLarge,
    /// A coding kb does not know (it never asked for one).
    Unsupported(String),
    /// The compressed stream is corrupt or truncated.
    Corrupt {
        coding: &'static str,
        detail: String,
    },
}

/// The codings of a response, in the order the server applied them
/// (RFC 9110 §8.4: "listed in the order in which they were applied").
/// Case-insensitive; `identity` and empty list members are skipped, and
/// `x-gzip` is gzip (RFC 9110 §8.4.1.3).
pub(crate) fn codings(headers: &HeaderMap) -> Result<Vec<Coding>, DecodeError> {
    let mut out = Vec::new();
    for value in headers.get_all(CONTENT_ENCODING) {
        let text = String::from_utf8_lossy(value.as_bytes());
        for token in text.split(',') {
            let token = token.trim().to_ascii_lowercase();
            match token.as_str() {
                "" | "identity" => {}
                "gzip" | "x-gzip" => out.push(Coding::Gzip),
                "deflate" => out.push(Coding::Deflate),
                "br" => out.push(Coding::Brotli),
                _ => return Err(DecodeError::Unsupported(token)),
            }
        }
    }
    Ok(out)
}

/// Decodes a body chunk by chunk as it arrives, so a compression bomb is
/// stopped as soon as its output passes the cap, whatever the codings.
pub(crate) struct BodyDecoder {
    /// One stage per coding, the last one applied first.
    stages: Vec<Stage>,
    body: Vec<u8>,
    limit: u64,
    /// Whether any byte came in: an empty body is empty whatever its
    /// `Content-Encoding` says (some servers label every response).
    any_input: bool,
}

impl BodyDecoder {
    pub(crate) fn new(codings: &[Coding], limit: u64, capacity: usize) -> BodyDecoder {
        BodyDecoder {
            stages: codings
                .iter()
                .rev()
                .map(|&c| Stage::new(c, limit))
                .collect(),
            body: Vec::with_capacity(capacity),
            limit,
            any_input: false,
        }
    }

    /// Feeds the next chunk of the body as received.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<(), DecodeError> {
        self.any_input |= !chunk.is_empty();
        let out = pass(&mut self.stages, chunk.to_vec())?;
        self.append(&out)
    }

    /// Ends the stream: flushes each stage in turn (what one stage has left
    /// goes through the stages after it) and returns the decoded body.
    pub(crate) fn finish(mut self) -> Result<Vec<u8>, DecodeError> {
        if !self.any_input {
            return Ok(self.body);
        }
        let mut stages = std::mem::take(&mut self.stages);
        while !stages.is_empty() {
            let first = stages.remove(0);
            let rest = first.finish()?;
            let out = pass(&mut stages, rest)?;
            self.append(&out)?;
        }
        Ok(self.body)
    }

    fn append(&mut self, data: &[u8]) -> Result<(), DecodeError> {
        if (self.body.len() + data.len()) as u64 > self.limit {
            return Err(DecodeError::TooLarge);
        }
        self.body.extend_from_slice(data);
        Ok(())
    }
}

/// Runs `data` through `stages` in order and returns what comes out.
fn pass(stages: &mut [Stage], mut data: Vec<u8>) -> Result<Vec<u8>, DecodeError> {
    for stage in stages {
        stage.write(&data)?;
        data = stage.take_output();
    }
    Ok(data)
}

/// One decoder, writing into a capped buffer that its caller drains.
enum Stage {
    Gzip(flate2::write::MultiGzDecoder<Capped>),
    Zlib(flate2::write::ZlibDecoder<Capped>),
    RawDeflate(flate2::write::DeflateDecoder<Capped>),
    /// "deflate" before its first two bytes are in: they tell zlib from raw.
    Deflate {
        head: Vec<u8>,
        sink: Capped,
    },
    Brotli(Box<brotli_decompressor::DecompressorWriter<Capped>>),
}

impl Stage {
    fn new(coding: Coding, limit: u64) -> Stage {
        let sink = Capped {
            buf: Vec::new(),
            written: 0,
            limit,
        };
        match coding {
            // Multi-member, as gzip(1) and browsers read it: some servers
            // concatenate pre-compressed pieces.
            Coding::Gzip => Stage::Gzip(flate2::write::MultiGzDecoder::new(sink)),
            Coding::Deflate => Stage::Deflate {
                head: Vec::with_capacity(2),
                sink,
            },
            Coding::Brotli => Stage::Brotli(Box::new(
                brotli_decompressor::DecompressorWriter::new(sink, 4096),
            )),
        }
    }

    fn coding(&self) -> &'static str {
        match self {
            Stage::Gzip(_) => Coding::Gzip.name(),
            Stage::Zlib(_) | Stage::RawDeflate(_) | Stage::Deflate { .. } => Coding::Deflate.name(),
            Stage::Brotli(_) => Coding::Brotli.name(),
        }
    }

    fn write(&mut self, data: &[u8]) -> Result<(), DecodeError> {
        let coding = self.coding();
        let result = match self {
            Stage::Gzip(d) => d.write_all(data),
            Stage::Zlib(d) => d.write_all(data),
            Stage::RawDeflate(d) => d.write_all(data),
            Stage::Brotli(d) => d.write_all(data),
            Stage::Deflate { head, .. } => {
                head.extend_from_slice(data);
                if head.len() < 2 {
                    return Ok(());
                }
                return self.decide();
            }
        };
        result.map_err(|e| classify(coding, e))
    }

    /// Picks zlib or raw deflate from the first bytes and feeds them in.
    /// A zlib header (RFC 1950 §2.2) is method 8, a window of at most 32 KiB
    /// and a check making the first two bytes a multiple of 31; raw deflate
    /// rarely looks like that, which is the test browsers use too.
    fn decide(&mut self) -> Result<(), DecodeError> {
        let Stage::Deflate { head, sink } = self else {
            return Ok(());
        };
        let head = std::mem::take(head);
        let sink = std::mem::take(sink);
        let zlib = head.len() >= 2
            && head[0] & 0x0f == 8
            && head[0] >> 4 <= 7
            && (u16::from(head[0]) << 8 | u16::from(head[1])) % 31 == 0;
        *self = if zlib {
            Stage::Zlib(flate2::write::ZlibDecoder::new(sink))
        } else {
            Stage::RawDeflate(flate2::write::DeflateDecoder::new(sink))
        };
        self.write(&head)
    }

    fn take_output(&mut self) -> Vec<u8> {
        let sink = match self {
            Stage::Gzip(d) => d.get_mut(),
            Stage::Zlib(d) => d.get_mut(),
            Stage::RawDeflate(d) => d.get_mut(),
            Stage::Brotli(d) => d.get_mut(),
            Stage::Deflate { sink, .. } => sink,
        };
        std::mem::take(&mut sink.buf)
    }

    /// Ends the stream, failing if it was cut short, and returns what the
    /// decoder still held.
    fn finish(mut self) -> Result<Vec<u8>, DecodeError> {
        if matches!(self, Stage::Deflate { .. }) {
            // Fewer than two bytes in all: let the raw decoder judge them.
            self.decide()?;
        }
        let coding = self.coding();
        let sink = match self {
            Stage::Gzip(d) => d.finish(),
            Stage::Zlib(d) => d.finish(),
            Stage::RawDeflate(d) => d.finish(),
            Stage::Brotli(mut d) => d.close().map(|()| std::mem::take(d.get_mut())),
            Stage::Deflate { sink, .. } => Ok(sink),
        }
        .map_err(|e| classify(coding, e))?;
        Ok(sink.buf)
    }
}

/// A decoder error as ours: the cap, or a corrupt stream.
fn classify(coding: &'static str, e: io::Error) -> DecodeError {
    if e.get_ref().is_some_and(|inner| inner.is::<OverCap>()) {
        DecodeError::TooLarge
    } else {
        DecodeError::Corrupt {
            coding,
            detail: e.to_string(),
        }
    }
}

/// A decoder's output buffer that refuses to grow past the cap, so a
/// decoder fails mid-chunk rather than inflating a whole chunk's worth of
/// bomb (brotli can turn a few bytes into gigabytes).
#[derive(Default)]
struct Capped {
    buf: Vec<u8>,
    /// Everything written so far, drained or not.
    written: u64,
    limit: u64,
}

#[derive(Debug)]
struct OverCap;

impl std::fmt::Display for OverCap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("decompressed body larger than the cap")
    }
}

impl std::error::Error for OverCap {}

impl Write for Capped {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.written += data.len() as u64;
        if self.written > self.limit {
            return Err(io::Error::other(OverCap));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
