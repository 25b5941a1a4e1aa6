//! Which files `rampart check PATH…` reads: the files named, and under each directory named
//! the files with an extension infrastructure code uses, minus `.git` and the excludes, in
//! sorted order.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use walkdir::WalkDir;

use crate::IacError;

/// The extensions read under a directory (a file named on the command line is read
/// whatever its extension).
pub const EXTENSIONS: &[&str] = &["json", "yaml", "yml", "template"];

/// The files found, and the paths that could not be read (the walk goes on past them).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Discovery {
    /// The files, sorted and without repeats.
    pub files: Vec<PathBuf>,
    /// A path named that does not exist, a directory that could not be read, ….
    pub errors: Vec<IacError>,
}

/// Finds the files to read under `paths`. An exclude glob without `/` matches any file or
/// directory name (`node_modules`, `*.generated.json`); one with `/` matches the path
/// relative to the argument it was found under (`cdk.out/**`, `**/test/fixtures/*`). An
/// excluded directory is not entered. Symbolic links are followed (a template shared by
/// link is checked where it is linked); a link that loops or points nowhere is an error
/// that names it, and the walk goes on.
pub fn discover(paths: &[PathBuf], excludes: &[String]) -> Result<Discovery, IacError> {
    let excludes = Excludes::new(excludes)?;
    let mut found = Discovery::default();
    for root in paths {
        if !root.exists() {
            found.errors.push(IacError::Read {
                path: root.clone(),
                message: "no such file or directory".to_owned(),
            });
            continue;
        }
        if root.is_file() {
            if !excludes.matches(root, root) {
                found.files.push(root.clone());
            }
            continue;
        }
        let walk = WalkDir::new(root)
            .follow_links(true)
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0 || (e.file_name() != ".git" && !excludes.matches(root, e.path()))
            });
        for entry in walk {
            match entry {
                Ok(entry) if entry.file_type().is_file() && has_extension(entry.path()) => {
                    found.files.push(entry.into_path());
                }
                Ok(_) => {}
                Err(e) => found.errors.push(IacError::Read {
                    path: e.path().unwrap_or(root).to_owned(),
                    message: e
                        .io_error()
                        .map_or_else(|| e.to_string(), ToString::to_string),
                }),
            }
        }
    }
    found.files.sort();
    found.files.dedup();
    Ok(found)
}

fn has_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

struct Excludes {
    names: GlobSet,
    paths: GlobSet,
}

impl Excludes {
    fn new(patterns: &[String]) -> Result<Self, IacError> {
        let mut names = GlobSetBuilder::new();
        let mut paths = GlobSetBuilder::new();
        for pattern in patterns {
            let glob = Glob::new(pattern.trim_end_matches('/')).map_err(|e| IacError::Exclude {
                pattern: pattern.clone(),
                message: e.kind().to_string(),
            })?;
            if pattern.trim_end_matches('/').contains('/') {
                paths.add(glob);
            } else {
                names.add(glob);
            }
        }
        let build = |set: GlobSetBuilder| {
            set.build().map_err(|e| IacError::Exclude {
                pattern: patterns.join(" "),
                message: e.to_string(),
            })
        };
        Ok(Excludes {
            names: build(names)?,
            paths: build(paths)?,
        })
    }

    fn matches(&self, root: &Path, path: &Path) -> bool {
        let name_matches = path
            .file_name()
            .is_some_and(|name| self.names.is_match(Path::new(name)));
        let relative = path.strip_prefix(root).unwrap_or(path);
        name_matches || self.paths.is_match(relative) || self.paths.is_match(path)
    }
}
