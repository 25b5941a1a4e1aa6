//! Writing results: stdout, or a file replaced atomically so that a failed run never
//! leaves a partial file behind.

use std::io::Write;
use std::path::Path;

use super::InputError;

/// Writes `contents` to `out` atomically (temporary file in the same directory, then
/// rename), or to stdout when `out` is `None`. A device or pipe is written in place.
pub fn write_output(out: Option<&Path>, contents: &str) -> Result<(), InputError> {
    let Some(path) = out else {
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`rampart … | head`) is not an error worth reporting.
        let _ = stdout
            .write_all(contents.as_bytes())
            .and_then(|()| stdout.flush());
        return Ok(());
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let fail =
        |e: std::io::Error| InputError(format!("{}: cannot write output: {e}", path.display()));
    // A device or a pipe (`--out /dev/null`, `--out /dev/stdout`, a FIFO) is written in
    // place: renaming a file over it would replace the device with a regular file.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(fail)?;
        return file.write_all(contents.as_bytes()).map_err(fail);
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".rampart-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(contents.as_bytes()).map_err(fail)?;
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
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
