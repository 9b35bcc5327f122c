//! Undoing content codings (RFC 9110 §8.4) by hand, with the body cap
//! enforced on every decompressed byte.
//!
//! reqwest's own decoding compares `Content-Encoding` byte for byte with
//! "gzip", "deflate" and "br": `GZIP`, `x-gzip` and lists such as
//! `gzip, identity` were passed on still compressed, and its "deflate" takes
//! only the zlib format, while some servers send raw deflate under that name.
//! Decoding here fixes both and keeps the cap on decompressed bytes.
//!
//! Servers also lie the other way, and feed readers (feedparser, curl) read
//! their bodies all the same, so kb does too, with a warning: a body labelled
//! gzip that plainly starts as a document (`<`, a byte order mark, `{`,
//! whitespace) is read as is; a coding kb does not know (`UTF-8`, `none`, a
//! charset in the wrong header) is ignored when the body is plain; a body
//! labelled deflate or br that does not decompress but starts as a document
//! is read as is; and bytes after the end of the gzip data (NUL padding,
//! garbage) are ignored.

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
    pub(crate) fn name(self) -> &'static str {
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

/// One member of a `Content-Encoding` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    Known(Coding),
    /// Not a coding kb knows, lowercased: often not a coding at all
    /// (`utf-8`, `none`).
    Unknown(String),
}

/// The codings of a response, in the order the server applied them
/// (RFC 9110 §8.4: "listed in the order in which they were applied").
/// Case-insensitive; `identity` and empty list members are skipped, and
/// `x-gzip` is gzip (RFC 9110 §8.4.1.3).
pub(crate) fn codings(headers: &HeaderMap) -> Vec<Token> {
    let mut out = Vec::new();
    for value in headers.get_all(CONTENT_ENCODING) {
        let text = String::from_utf8_lossy(value.as_bytes());
        for token in text.split(',') {
            let token = token.trim().to_ascii_lowercase();
            match token.as_str() {
                "" | "identity" => {}
                "gzip" | "x-gzip" => out.push(Token::Known(Coding::Gzip)),
                "deflate" => out.push(Token::Known(Coding::Deflate)),
                "br" => out.push(Token::Known(Coding::Brotli)),
                _ => out.push(Token::Unknown(token)),
            }
        }
    }
    out
}

/// How many bytes of the body are looked at before deciding whether its
/// `Content-Encoding` tells the truth.
const SNIFF: usize = 4;

/// The first bytes of every gzip stream (RFC 1952 §2.3.1).
pub(crate) const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// True when `head` starts the way a feed document does and no compressed
/// stream kb could be asked for does: markup, a byte order mark, JSON, or
/// whitespace. gzip starts 1f 8b and zlib 78 (or another CMF byte below
/// 0x80 with a checksum); raw deflate and brotli have no magic, which is why
/// those two are still tried first (see `Mode::Decode`).
fn looks_like_document(head: &[u8]) -> bool {
    head.starts_with(b"\xEF\xBB\xBF")
        || head.starts_with(b"\xFE\xFF")
        || head.starts_with(b"\xFF\xFE")
        || matches!(
            head.first(),
            Some(b'<' | b'{' | b' ' | b'\t' | b'\r' | b'\n')
        )
}

/// Decodes a body chunk by chunk as it arrives, so a compression bomb is
/// stopped as soon as its output passes the cap, whatever the codings.
pub(crate) struct BodyDecoder {
    codings: Vec<Token>,
    mode: Mode,
    body: Vec<u8>,
    limit: u64,
    /// Whether any byte came in: an empty body is empty whatever its
    /// `Content-Encoding` says (some servers label every response).
    any_input: bool,
    /// What was got around: a lying header, bytes after the gzip data.
    warnings: Vec<String>,
}

enum Mode {
    /// The first bytes, until there are enough to judge the header by.
    Sniffing(Vec<u8>),
    Decode {
        /// One stage per coding, the last one applied first.
        stages: Vec<Stage>,
        /// The body as received, kept while it might be an uncompressed
        /// document after all (it starts like one, and its outer coding has
        /// no magic to tell): used if decoding fails.
        fallback: Option<Vec<u8>>,
    },
    /// Taken as is.
    Identity,
}

impl BodyDecoder {
    pub(crate) fn new(codings: Vec<Token>, limit: u64, capacity: usize) -> BodyDecoder {
        BodyDecoder {
            codings,
            mode: Mode::Sniffing(Vec::with_capacity(SNIFF)),
            body: Vec::with_capacity(capacity),
            limit,
            any_input: false,
            warnings: Vec::new(),
        }
    }

    /// Feeds the next chunk of the body as received.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<(), DecodeError> {
        self.any_input |= !chunk.is_empty();
        if let Mode::Sniffing(head) = &mut self.mode {
            head.extend_from_slice(chunk);
            if head.len() < SNIFF {
                return Ok(());
            }
            let head = std::mem::take(head);
            self.decide(&head)?;
            return self.feed(&head);
        }
        self.feed(chunk)
    }

    /// Ends the stream: flushes each stage in turn (what one stage has left
    /// goes through the stages after it) and returns the decoded body, with
    /// warnings about what did not match its headers.
    pub(crate) fn finish(mut self) -> Result<(Vec<u8>, Vec<String>), DecodeError> {
        if !self.any_input {
            return Ok((self.body, self.warnings));
        }
        if let Mode::Sniffing(head) = &mut self.mode {
            let head = std::mem::take(head);
            self.decide(&head)?;
            self.feed(&head)?;
        }
        let Mode::Decode { stages, fallback } = std::mem::replace(&mut self.mode, Mode::Identity)
        else {
            return Ok((self.body, self.warnings));
        };
        let mut stages = stages;
        let mut result = Ok(());
        while !stages.is_empty() {
            let first = stages.remove(0);
            if first.ignored() > 0 {
                self.warnings.push(format!(
                    "ignored {} after the end of the gzip data (padding or garbage the server appended)",
                    crate::error::size(first.ignored())
                ));
            }
            result = first
                .finish()
                .and_then(|rest| pass(&mut stages, rest))
                .and_then(|out| self.append(&out));
            if result.is_err() {
                break;
            }
        }
        match (result, fallback) {
            (Ok(()), _) => Ok((self.body, self.warnings)),
            (Err(e @ DecodeError::Corrupt { .. }), Some(raw)) => {
                self.read_as_is(raw, &e);
                Ok((self.body, self.warnings))
            }
            (Err(e), _) => Err(e),
        }
    }

    /// Chooses how to read the body from its first bytes and its labels.
    fn decide(&mut self, head: &[u8]) -> Result<(), DecodeError> {
        let plain = looks_like_document(head);
        let labels = self
            .codings
            .iter()
            .map(|t| match t {
                Token::Known(c) => c.name().to_string(),
                Token::Unknown(s) => s.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut known = Vec::new();
        for token in &self.codings {
            match token {
                Token::Known(c) => known.push(*c),
                Token::Unknown(name) if plain => {
                    self.warnings.push(format!(
                        "Content-Encoding {labels:?} names {name:?}, which is no content coding kb knows, and the body is not compressed: read as is"
                    ));
                    self.mode = Mode::Identity;
                    return Ok(());
                }
                Token::Unknown(name) => return Err(DecodeError::Unsupported(name.clone())),
            }
        }
        let outer = known.last().copied();
        if outer == Some(Coding::Gzip) && plain && !head.starts_with(&GZIP_MAGIC) {
            self.warnings.push(format!(
                "Content-Encoding says {labels} but the body is not compressed: read as is"
            ));
            self.mode = Mode::Identity;
            return Ok(());
        }
        self.mode = if known.is_empty() {
            Mode::Identity
        } else {
            Mode::Decode {
                stages: known
                    .iter()
                    .rev()
                    .map(|&c| Stage::new(c, self.limit))
                    .collect(),
                fallback: plain.then(Vec::new),
            }
        };
        Ok(())
    }

    fn feed(&mut self, data: &[u8]) -> Result<(), DecodeError> {
        let limit = self.limit;
        let out = match &mut self.mode {
            Mode::Sniffing(_) => return Ok(()),
            Mode::Identity => return self.append(data),
            Mode::Decode { stages, fallback } => {
                // Past the cap as is, it could not be read as is anyway.
                if let Some(raw) = fallback {
                    if (raw.len() + data.len()) as u64 > limit {
                        *fallback = None;
                    } else {
                        raw.extend_from_slice(data);
                    }
                }
                match pass(stages, data.to_vec()) {
                    Ok(out) => out,
                    Err(e @ DecodeError::Corrupt { .. }) => match fallback.take() {
                        Some(raw) => {
                            self.read_as_is(raw, &e);
                            return Ok(());
                        }
                        None => return Err(e),
                    },
                    Err(e) => return Err(e),
                }
            }
        };
        self.append(&out)
    }

    /// Gives up decoding: the body as received is the document.
    fn read_as_is(&mut self, raw: Vec<u8>, why: &DecodeError) {
        if let DecodeError::Corrupt { coding, detail } = why {
            self.warnings.push(format!(
                "Content-Encoding says {coding} but the body does not decompress ({detail}) and starts like a document: read as is"
            ));
        }
        self.body = raw;
        self.mode = Mode::Identity;
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
    Gzip(Box<Gzip>),
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
            Coding::Gzip => Stage::Gzip(Box::new(Gzip {
                member: flate2::write::GzDecoder::new(sink),
                between: false,
                boundary: Vec::new(),
                ignored: 0,
            })),
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
            Stage::Gzip(d) => d.write(data),
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
            Stage::Gzip(d) => d.member.get_mut(),
            Stage::Zlib(d) => d.get_mut(),
            Stage::RawDeflate(d) => d.get_mut(),
            Stage::Brotli(d) => d.get_mut(),
            Stage::Deflate { sink, .. } => sink,
        };
        std::mem::take(&mut sink.buf)
    }

    /// Bytes ignored after the end of the gzip data.
    fn ignored(&self) -> u64 {
        match self {
            Stage::Gzip(d) => d.ignored + d.boundary.len() as u64,
            _ => 0,
        }
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
            Stage::Gzip(d) => d.member.finish(),
            Stage::Zlib(d) => d.finish(),
            Stage::RawDeflate(d) => d.finish(),
            Stage::Brotli(mut d) => d.close().map(|()| std::mem::take(d.get_mut())),
            Stage::Deflate { sink, .. } => Ok(sink),
        }
        .map_err(|e| classify(coding, e))?;
        Ok(sink.buf)
    }
}

/// gzip, member after member, as gzip(1) and browsers read it (some servers
/// concatenate pre-compressed pieces), up to the first bytes after a member
/// that do not start another: NUL padding or garbage a server appended, which
/// curl and Python's gzip skip too.
struct Gzip {
    member: flate2::write::GzDecoder<Capped>,
    /// The current member has ended; the next bytes decide what follows.
    between: bool,
    /// Bytes after a member, until there are enough to look for the magic.
    boundary: Vec<u8>,
    /// Bytes skipped after the last member.
    ignored: u64,
}

impl Gzip {
    fn write(&mut self, data: &[u8]) -> io::Result<()> {
        let mut owned;
        let mut buf = data;
        loop {
            if self.ignored > 0 {
                self.ignored += buf.len() as u64;
                return Ok(());
            }
            if self.between {
                self.boundary.extend_from_slice(buf);
                if self.boundary.len() < GZIP_MAGIC.len() {
                    return Ok(());
                }
                if !self.boundary.starts_with(&GZIP_MAGIC) {
                    self.ignored = self.boundary.len() as u64;
                    self.boundary = Vec::new();
                    return Ok(());
                }
                // Another member: the one before must have been whole.
                let done = std::mem::replace(
                    &mut self.member,
                    flate2::write::GzDecoder::new(Capped::default()),
                );
                self.member = flate2::write::GzDecoder::new(done.finish()?);
                self.between = false;
                owned = std::mem::take(&mut self.boundary);
                buf = &owned;
                continue;
            }
            if buf.is_empty() {
                return Ok(());
            }
            // Ok(0) on bytes: the member (and its trailer) ended before them.
            match self.member.write(buf)? {
                0 => self.between = true,
                n => buf = &buf[n..],
            }
        }
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
