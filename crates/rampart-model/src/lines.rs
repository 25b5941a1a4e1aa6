//! The JSON-lines form of a snapshot: the snapshot on its first line, with the accounts
//! that follow left out of its `accounts` list, then one account per line.
//!
//! A reader can hold one account at a time (`evaluate --stream`), and a loader can parse
//! the accounts in parallel. Every line is compact JSON, so a snapshot written on one
//! line is already of this form (with no account lines), and a pretty-printed one, whose
//! first line is `{`, is not.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::Serialize;

use crate::load::{
    check_is_object, inconsistent, not_utf8_at, parse_object, syntax, Consistency, SnapshotError,
};
use crate::{Account, CoverageGap, Organization, Snapshot, SnapshotSource};

/// The length of the first line when `text` is of the JSON-lines form: that line alone
/// is a JSON object (it starts with `{` and ends with `}`).
pub(crate) fn head_len(text: &str) -> Option<usize> {
    let end = text.find('\n').unwrap_or(text.len());
    let line = text[..end].trim();
    (line.len() > 1 && line.starts_with('{') && line.ends_with('}')).then_some(end)
}

/// Parses and checks a snapshot of the JSON-lines form whose first line is `text[..head]`,
/// its accounts in parallel; an inconsistent account is named by its line.
pub(crate) fn parse(text: &str, head: usize, path: &Path) -> Result<Snapshot, SnapshotError> {
    let head = &text[..head];
    let mut snapshot = parse_object(head, path)?;
    let mut check = Consistency::of(&snapshot).map_err(|e| inconsistent(path, head, &e, 0))?;
    for account in &snapshot.accounts {
        check
            .account(account, 1)
            .map_err(|e| inconsistent(path, head, &e, 0))?;
    }
    let rest = text.get(head.len() + 1..).unwrap_or_default();
    let lines: Vec<(usize, &str)> = rest
        .split('\n')
        .enumerate()
        .map(|(i, line)| (i + 2, line))
        .filter(|(_, line)| !line.trim().is_empty())
        .collect();
    let parsed: Vec<Result<Account, SnapshotError>> = lines
        .par_iter()
        .map(|(n, line)| parse_account(line, *n, path))
        .collect();
    snapshot.accounts.reserve(parsed.len());
    for ((n, line), account) in lines.iter().zip(parsed) {
        let account = account?;
        check
            .account(&account, 0)
            .map_err(|e| inconsistent(path, line, &e, n - 1))?;
        snapshot.accounts.push(account);
    }
    Ok(snapshot)
}

/// One account line, numbered `line` (1-based) in the file.
fn parse_account(text: &str, line: usize, path: &Path) -> Result<Account, SnapshotError> {
    let parsed = match check_is_object(text, path) {
        Ok(()) => serde_json::from_str(text).map_err(|e| syntax(path, &e)),
        Err(SnapshotError::Syntax { path, column, .. }) => Err(SnapshotError::Syntax {
            path,
            line,
            column,
            message: "an account line is a JSON object (`{ \"id\": … }`)".to_owned(),
        }),
        Err(other) => Err(other),
    };
    // The line's own position is line 1 of its text.
    parsed.map_err(|e| match e {
        SnapshotError::Syntax {
            path,
            column,
            message,
            ..
        } => SnapshotError::Syntax {
            path,
            line,
            column,
            message,
        },
        other => other,
    })
}

/// Writes `snapshot` in the JSON-lines form, a trailing newline after every line, redacted
/// as every snapshot rampart writes ([`crate::redact::redact_json`]).
pub fn write_snapshot_lines(snapshot: &Snapshot, out: &mut dyn Write) -> std::io::Result<()> {
    /// The snapshot without its accounts, its fields in [`Snapshot`]'s order.
    #[derive(Serialize)]
    struct Head<'a> {
        schema_version: &'a str,
        taken_at: &'a DateTime<Utc>,
        source: &'a SnapshotSource,
        organization: &'a Organization,
        accounts: [&'a Account; 0],
        coverage: &'a [CoverageGap],
    }
    let head = Head {
        schema_version: &snapshot.schema_version,
        taken_at: &snapshot.taken_at,
        source: &snapshot.source,
        organization: &snapshot.organization,
        accounts: [],
        coverage: &snapshot.coverage,
    };
    put_line(&head, out)?;
    for account in &snapshot.accounts {
        put_line(account, out)?;
    }
    Ok(())
}

/// One value, redacted, on one line.
fn put_line<T: Serialize>(value: &T, out: &mut dyn Write) -> std::io::Result<()> {
    let mut tree = serde_json::to_value(value)?;
    crate::redact::redact_json(&mut tree);
    serde_json::to_writer(&mut *out, &tree)?;
    out.write_all(b"\n")
}

/// A snapshot file of the JSON-lines form read a batch of accounts at a time, each account
/// checked as the whole-file loader checks it.
pub struct SnapshotLines {
    path: PathBuf,
    reader: BufReader<File>,
    /// The number of the next line to read (1-based).
    line: usize,
    /// Accounts listed on the first line itself, handed out first.
    pending: VecDeque<Account>,
    consistency: Consistency,
    /// Set once the end of the file was reached.
    done: bool,
}

impl SnapshotLines {
    /// Opens `path` and reads its first line: the snapshot, whose `accounts` list is
    /// empty (the accounts are read with [`SnapshotLines::next_batch`]).
    pub fn open(path: &Path) -> Result<(SnapshotLines, Snapshot), SnapshotError> {
        let io = |source| SnapshotError::Io {
            path: path.to_owned(),
            source,
        };
        let mut reader = BufReader::with_capacity(1 << 20, File::open(path).map_err(io)?);
        let mut head = String::new();
        read_line(&mut reader, &mut head, 1, path)?;
        check_is_object(&head, path)?;
        if head_len(&head).is_none() {
            return Err(SnapshotError::Syntax {
                path: path.to_owned(),
                line: 1,
                column: 1,
                message: "not a snapshot in the JSON-lines form (the snapshot on its first line, then one account per line); `rampart snapshot lines` writes one".to_owned(),
            });
        }
        let mut snapshot = parse_object(head.trim_end(), path)?;
        let consistency =
            Consistency::of(&snapshot).map_err(|e| inconsistent(path, &head, &e, 0))?;
        let pending = std::mem::take(&mut snapshot.accounts).into();
        let mut lines = SnapshotLines {
            path: path.to_owned(),
            reader,
            line: 2,
            pending,
            consistency,
            done: false,
        };
        for account in &lines.pending {
            lines
                .consistency
                .account(account, 0)
                .map_err(|e| inconsistent(path, &head, &e, 0))?;
        }
        Ok((lines, snapshot))
    }

    /// The next accounts, in file order: lines are read until they hold `budget` bytes
    /// (at least one account), then parsed in parallel. Empty at the end of the file.
    pub fn next_batch(&mut self, budget: usize) -> Result<Vec<Account>, SnapshotError> {
        if !self.pending.is_empty() {
            return Ok(self.pending.drain(..).collect());
        }
        let mut lines: Vec<(usize, String)> = Vec::new();
        let mut bytes = 0;
        while !self.done && (lines.is_empty() || bytes < budget) {
            let mut text = String::new();
            let n = read_line(&mut self.reader, &mut text, self.line, &self.path)?;
            self.line += 1;
            if n == 0 {
                self.done = true;
            } else if !text.trim().is_empty() {
                bytes += text.len();
                lines.push((self.line - 1, text));
            }
        }
        let parsed: Vec<Result<Account, SnapshotError>> = lines
            .par_iter()
            .map(|(n, text)| parse_account(text, *n, &self.path))
            .collect();
        let mut accounts = Vec::with_capacity(parsed.len());
        for ((n, text), account) in lines.iter().zip(parsed) {
            let account = account?;
            self.consistency
                .account(&account, 0)
                .map_err(|e| inconsistent(&self.path, text, &e, n - 1))?;
            accounts.push(account);
        }
        Ok(accounts)
    }
}

/// Reads one line into `text`; a line that is not UTF-8 is an error at its position.
fn read_line(
    reader: &mut BufReader<File>,
    text: &mut String,
    line: usize,
    path: &Path,
) -> Result<usize, SnapshotError> {
    let mut bytes = Vec::new();
    let n = reader
        .read_until(b'\n', &mut bytes)
        .map_err(|source| SnapshotError::Io {
            path: path.to_owned(),
            source,
        })?;
    match String::from_utf8(bytes) {
        Ok(s) => {
            *text = s;
            Ok(n)
        }
        Err(e) => {
            let (offset, _, column) = not_utf8_at(&e);
            Err(SnapshotError::Syntax {
                path: path.to_owned(),
                line,
                column,
                message: format!("not UTF-8 text (byte {offset} of the line)"),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{load_snapshot_file, parse_snapshot, sample_snapshot};

    fn lines_of(snapshot: &Snapshot) -> String {
        let mut out = Vec::new();
        write_snapshot_lines(snapshot, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn temp(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rampart-lines-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_lines_form_loads_as_the_same_snapshot() {
        let sample = sample_snapshot().unwrap();
        let text = lines_of(&sample);
        assert_eq!(text.lines().count(), 1 + sample.accounts.len());
        assert!(text.lines().next().unwrap().contains("\"accounts\":[]"));
        let loaded = parse_snapshot(&text, Path::new("s.jsonl")).unwrap();
        assert_eq!(loaded, sample);
        // A snapshot written on one line is of the form too.
        let one_line = serde_json::to_string(&sample).unwrap() + "\n";
        assert_eq!(
            parse_snapshot(&one_line, Path::new("s.json")).unwrap(),
            sample
        );
    }

    #[test]
    fn streamed_batches_hold_every_account_in_order() {
        let sample = sample_snapshot().unwrap();
        let path = temp("stream.jsonl", &lines_of(&sample));
        let (mut lines, head) = SnapshotLines::open(&path).unwrap();
        assert!(head.accounts.is_empty());
        assert_eq!(head.organization, sample.organization);
        let mut ids = Vec::new();
        let mut sizes = Vec::new();
        loop {
            let batch = lines.next_batch(1).unwrap();
            if batch.is_empty() {
                break;
            }
            sizes.push(batch.len());
            ids.extend(batch.into_iter().map(|a| a.id));
        }
        // A budget of one byte: one account per batch.
        assert!(sizes.iter().all(|&n| n == 1));
        let expected: Vec<String> = sample.accounts.iter().map(|a| a.id.clone()).collect();
        assert_eq!(ids, expected);
        assert_eq!(load_snapshot_file(&path).unwrap(), sample);
    }

    #[test]
    fn a_bad_account_line_is_named_by_its_line() {
        let sample = sample_snapshot().unwrap();
        let text = lines_of(&sample);
        let mut lines: Vec<&str> = text.lines().collect();
        lines[2] = "{\"id\": 7}";
        let broken = lines.join("\n");
        let e = parse_snapshot(&broken, Path::new("s.jsonl")).unwrap_err();
        assert!(e.to_string().starts_with("s.jsonl:3:"), "{e}");
        // Streamed, the same line.
        let path = temp("broken.jsonl", &broken);
        let (mut reader, _) = SnapshotLines::open(&path).unwrap();
        let e = loop {
            match reader.next_batch(1) {
                Ok(batch) => assert!(!batch.is_empty(), "no error"),
                Err(e) => break e,
            }
        };
        assert!(e.to_string().contains("broken.jsonl:3:"), "{e}");
        // An account listed twice: inconsistent, at the second one's line.
        let mut lines: Vec<&str> = text.lines().collect();
        let second = lines[1];
        lines.push(second);
        let twice = lines.join("\n");
        let e = parse_snapshot(&twice, Path::new("s.jsonl")).unwrap_err();
        let at = format!("s.jsonl:{}:", lines.len());
        assert!(
            e.to_string().starts_with(&at) && e.to_string().contains("duplicate account"),
            "{e}"
        );
        let path = temp("twice.jsonl", &twice);
        let (mut reader, _) = SnapshotLines::open(&path).unwrap();
        let e = loop {
            match reader.next_batch(1 << 20) {
                Ok(batch) => assert!(!batch.is_empty(), "no error"),
                Err(e) => break e,
            }
        };
        let at = format!("twice.jsonl:{}:", lines.len());
        assert!(
            e.to_string().contains(&at) && e.to_string().contains("duplicate account"),
            "{e}"
        );
    }

    #[test]
    fn a_pretty_printed_snapshot_is_not_streamed() {
        let sample = sample_snapshot().unwrap();
        let path = temp(
            "pretty.json",
            &serde_json::to_string_pretty(&sample).unwrap(),
        );
        let e = SnapshotLines::open(&path).err().unwrap();
        assert!(e.to_string().contains("JSON-lines form"), "{e}");
        // An account line that is an array is not an account.
        let text = lines_of(&sample);
        let mut lines: Vec<&str> = text.lines().collect();
        lines[1] = "[1, 2]";
        let e = parse_snapshot(&lines.join("\n"), Path::new("a.jsonl")).unwrap_err();
        assert!(e.to_string().starts_with("a.jsonl:2:1:"), "{e}");
    }
}
