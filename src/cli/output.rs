//! Writing results: stdout, or files replaced atomically so that a failed or killed run
//! never leaves a partial file behind and never loses the previous one.
//!
//! Every file rampart writes goes through [`write_output`] (one file) or [`write_tree`]
//! (a directory it owns, such as the evidence bundle): the data goes to a temporary file or
//! directory in the destination's own directory (named `.rampart-…`; `rampart check` reads
//! no such file), is flushed to disk, and is renamed over the destination, whose directory
//! is flushed in turn. A run killed before the rename leaves the previous output as it was
//! and at most one `.rampart-…` temporary, which no later run reads.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use super::InputError;

/// A test hook: seconds to pause once a temporary output is complete and flushed, before
/// it is renamed into place, so that a test can kill the process there.
const PAUSE_ENV: &str = "RAMPART_OUTPUT_PAUSE_SECS";

/// The write buffer of streamed outputs.
const BUFFER: usize = 1 << 16;

/// The prefix of every temporary file and directory rampart writes.
pub const TEMP_PREFIX: &str = ".rampart-";

/// Writes `contents` to `out` atomically (temporary file in the same directory, flushed,
/// then renamed), or to stdout when `out` is `None`. A device or pipe is written in place.
pub fn write_output(out: Option<&Path>, contents: &str) -> Result<(), InputError> {
    write_output_with(out, |w| w.write_all(contents.as_bytes()))
}

/// Like [`write_output`], with the contents produced by `write` into a buffered writer, so
/// that a large report is streamed to its destination rather than held whole in memory.
/// An error from `write` is an output error; a closed pipe on stdout is not an error.
pub fn write_output_with(
    out: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), InputError> {
    let Some(path) = out else {
        let mut stdout = std::io::BufWriter::with_capacity(BUFFER, std::io::stdout().lock());
        // A closed pipe (`rampart … | head`) is not an error worth reporting.
        let _ = write(&mut stdout).and_then(|()| stdout.flush());
        return Ok(());
    };
    let dir = parent_of(path);
    let fail =
        |e: std::io::Error| InputError(format!("{}: cannot write output: {e}", path.display()));
    // A device or a pipe (`--out /dev/null`, `--out /dev/stdout`, a FIFO) is written in
    // place: renaming a file over it would replace the device with a regular file.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(fail)?;
        let mut file = std::io::BufWriter::with_capacity(BUFFER, file);
        return write(&mut file).and_then(|()| file.flush()).map_err(fail);
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(fail)?;
    {
        let mut buffered = std::io::BufWriter::with_capacity(BUFFER, tmp.as_file_mut());
        write(&mut buffered)
            .and_then(|()| buffered.flush())
            .map_err(fail)?;
    }
    // tempfile creates files readable by the owner only; results are ordinary files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode() & 0o7777);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(fail)?;
    }
    tmp.as_file().sync_all().map_err(fail)?;
    pause_before_rename(tmp.path(), path);
    tmp.persist(path).map_err(|e| fail(e.error))?;
    sync_dir(dir).map_err(fail)?;
    Ok(())
}

/// Writes `files` (relative path, bytes) as the directory `out`, atomically: into a
/// temporary directory beside it, each file flushed, then renamed into place. A previous
/// directory at `out` is moved aside and deleted only once the new one is in place; it is
/// replaced only when it is empty or `replaceable` accepts it (a directory rampart wrote;
/// its error says why not).
pub fn write_tree<'f>(
    out: &Path,
    files: impl IntoIterator<Item = (&'f str, &'f [u8])>,
    replaceable: impl Fn(&Path) -> Result<(), String>,
    what: &str,
) -> Result<(), InputError> {
    let fail = |at: &Path, e: std::io::Error| {
        InputError(format!("{}: cannot write the {what}: {e}", at.display()))
    };
    if out.exists() {
        let empty = std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_none());
        let accepted = if out.is_dir() {
            replaceable(out)
        } else {
            Err("exists and is not a directory; not replacing it".to_owned())
        };
        if let (false, Err(why)) = (empty, accepted) {
            return Err(InputError(format!("{}: {why}", out.display())));
        }
    }
    let parent = parent_of(out);
    std::fs::create_dir_all(parent).map_err(|e| fail(parent, e))?;
    let tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(".tmp")
        .tempdir_in(parent)
        .map_err(|e| fail(parent, e))?;
    let mut dirs = std::collections::BTreeSet::new();
    for (name, bytes) in files {
        let path = tmp.path().join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| fail(out, e))?;
            dirs.insert(dir.to_path_buf());
        }
        let mut file = std::fs::File::create(&path).map_err(|e| fail(out, e))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| fail(out, e))?;
    }
    for dir in &dirs {
        sync_dir(dir).map_err(|e| fail(out, e))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))
            .map_err(|e| fail(out, e))?;
    }
    pause_before_rename(tmp.path(), out);
    if out.exists() {
        // Move the old directory aside, put the new one in place, then delete the old one.
        let old = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(".old")
            .tempdir_in(parent)
            .map_err(|e| fail(parent, e))?;
        let aside = old.path().join("previous");
        std::fs::rename(out, &aside).map_err(|e| fail(out, e))?;
        if let Err(e) = std::fs::rename(tmp.path(), out) {
            let _ = std::fs::rename(&aside, out);
            return Err(fail(out, e));
        }
        drop(old);
    } else {
        std::fs::rename(tmp.path(), out).map_err(|e| fail(out, e))?;
    }
    // Renamed away: nothing left for the guard to delete.
    let _ = tmp.keep();
    sync_dir(parent).map_err(|e| fail(parent, e))?;
    Ok(())
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Flushes a directory's entries (a rename is durable once its directory is).
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

fn pause_before_rename(tmp: &Path, to: &Path) {
    let Some(secs) = std::env::var(PAUSE_ENV)
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    else {
        return;
    };
    eprintln!(
        "rampart: {PAUSE_ENV}: pausing {secs} s before renaming {} to {}",
        tmp.display(),
        to.display()
    );
    std::thread::sleep(Duration::from_secs(secs));
}
