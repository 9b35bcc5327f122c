//! `kb export`: every article in full, one JSON object per line, for backups and other tools.
//!
//! Owns the output (standard output, or a file replaced whole); the articles and their order
//! come from the store ([`kb_store::Kb::articles`]), the filters' notes from `kb list`.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use kb_store::{Kb, ListRequest};

use super::sync::{Interrupt, Interrupted, Stopped};
use super::{ArticleView, Ctx};
use crate::args::ExportArgs;
use crate::out::{STDOUT, plural};

pub fn run(ctx: &Ctx, a: ExportArgs) -> Result<()> {
    let req = super::list::request(a.filters, usize::MAX, 0)?;
    let kb = ctx.open_kb()?;
    let written = match &a.output {
        Some(path) => to_file(ctx, &kb, &req, path)?,
        None => {
            let mut out = BufWriter::new(std::io::stdout().lock());
            let n = write_all(ctx, &kb, &req, &mut out, None, STDOUT)?;
            out.flush().context(STDOUT)?;
            n
        }
    };
    if written == 0 {
        let why = super::list::why_empty(ctx, &kb, &req)?;
        ctx.out.note(if why.is_empty() {
            "no articles\n"
        } else {
            &why
        });
    } else {
        let to = a
            .output
            .as_ref()
            .map(|p| format!(" to {}", crate::out::safe(&p.display().to_string(), false)))
            .unwrap_or_default();
        ctx.out
            .note(&format!("exported {}{to}\n", plural(written, "article")));
    }
    Ok(())
}

/// Write the export to a temporary file beside `path`, then move it there: `path` holds the
/// whole export or what it held before, never part of one (a full disk, a signal, a damaged
/// article stop the export before the move).
fn to_file(ctx: &Ctx, kb: &Kb, req: &ListRequest, path: &Path) -> Result<usize> {
    let fail = || format!("cannot write {}", path.display());
    if path.is_dir() {
        bail!(
            "cannot write {}: it is a directory: name a file, e.g. {}",
            path.display(),
            path.join("kb-export.jsonl").display()
        );
    }
    let dir = crate::config::edit::parent_dir(path);
    let interrupt = Interrupt::install(
        "leaving its partial copy beside the output file (a hidden .kb-export-*.tmp file: remove it)",
    );
    // Made as any new file is (0666 less the umask), not as tempfile's private 0600; a file
    // replaced keeps its permissions.
    let kept = std::fs::metadata(path).ok().map(|m| m.permissions());
    let tmp = tempfile::Builder::new()
        .prefix(".kb-export-")
        .suffix(".tmp")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(&dir)
        .map_err(|e| {
            // tempfile's message names the temporary file, which reads as the one asked for.
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "its directory does not exist".to_string(),
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                    "its directory is not writable (the export is written beside the file, then moved onto it)".to_string()
                }
                kind => std::io::Error::from(kind).to_string(),
            };
            anyhow::anyhow!("cannot write {}: {why}", path.display())
        })?;
    if let Some(mode) = kept {
        tmp.as_file().set_permissions(mode).with_context(fail)?;
    }
    let mut out = BufWriter::new(tmp.as_file());
    let n = write_all(ctx, kb, req, &mut out, Some(&interrupt), &fail())
        .map_err(|e| on_disk(e, path))?;
    out.flush()
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(fail)
        .map_err(|e| on_disk(e, path))?;
    drop(out);
    tmp.persist(path).map_err(|e| e.error).with_context(fail)?;
    Ok(n)
}

/// A full disk said as such, and that it left the file as it was; any other error as it is.
fn on_disk(e: anyhow::Error, path: &Path) -> anyhow::Error {
    let full = e.chain().find_map(|c| {
        c.downcast_ref::<std::io::Error>()
            .filter(|io| kb_store::is_out_of_space(io))
    });
    match full {
        Some(io) => anyhow::anyhow!(
            "cannot write {}: {io}; the file is as it was: free some disk space (or raise the file-size limit, `ulimit -f`) and run again",
            path.display()
        ),
        None => e,
    }
}

/// Write each article as one line of JSON; the number written. A failed write is said as
/// `failed` ("cannot write to standard output"). Stops at a signal when `interrupt` is given
/// (the file's partial copy is then removed by the caller's drop).
fn write_all(
    ctx: &Ctx,
    kb: &Kb,
    req: &ListRequest,
    out: &mut impl Write,
    interrupt: Option<&Interrupt>,
    failed: &str,
) -> Result<usize> {
    let articles = kb.articles(req)?;
    let bar = ctx.out.count_bar(articles.len(), "articles exported");
    let mut n = 0;
    for article in articles {
        if let Some(sig) = interrupt.and_then(Interrupt::signal) {
            bar.finish_and_clear();
            return Err(Interrupted(sig, Stopped::Export).into());
        }
        let article = article?;
        serde_json::to_writer(&mut *out, &ArticleView::new(&article, true))
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
            .with_context(|| failed.to_string())?;
        n += 1;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(n)
}
