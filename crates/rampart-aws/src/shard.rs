//! Splitting an organization's accounts between workers.
//!
//! Shard `I/N` owns the accounts whose 12-digit id, as a number, is `I` modulo `N`. The
//! assignment depends on nothing but the account id, so workers that list the organization
//! at slightly different times still agree on every account they both see, and `rampart
//! snapshot merge` of the N parts equals one full collection.

use std::fmt;

/// Environment variables batch schedulers set to a worker's index: Kubernetes indexed Jobs
/// and AWS Batch array jobs.
pub const INDEX_VARIABLES: &[&str] = &["JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"];

/// One worker's share: index `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This worker's index, from 0.
    pub index: u64,
    /// Number of workers.
    pub count: u64,
}

impl Shard {
    /// Parses `I/N`, or `auto/N` to take `I` from the scheduler's environment variable.
    pub fn parse(text: &str, env: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let (index, count) = text
            .split_once('/')
            .ok_or_else(|| format!("--shard `{text}`: expected I/N, e.g. 0/4 or auto/4"))?;
        let count: u64 = count
            .trim()
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("--shard `{text}`: N must be a positive integer"))?;
        let index = if index.trim() == "auto" {
            let (var, value) = INDEX_VARIABLES
                .iter()
                .find_map(|v| env(v).map(|value| (*v, value)))
                .ok_or_else(|| {
                    format!(
                        "--shard `{text}`: neither {} is set",
                        INDEX_VARIABLES.join(" nor ")
                    )
                })?;
            value
                .trim()
                .parse()
                .map_err(|_| format!("--shard auto: {var}=`{value}` is not an integer"))?
        } else {
            index
                .trim()
                .parse()
                .map_err(|_| format!("--shard `{text}`: I must be an integer or `auto`"))?
        };
        if index >= count {
            return Err(format!(
                "--shard `{text}`: index {index} is out of range for {count} shards (0..{count})"
            ));
        }
        Ok(Shard { index, count })
    }

    /// Whether this shard reads the account.
    pub fn owns(&self, account_id: &str) -> bool {
        key(account_id) % self.count == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The account id as a number; any other id by FNV-1a, so every id has a shard.
fn key(account_id: &str) -> u64 {
    account_id.parse().unwrap_or_else(|_| {
        account_id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn every_account_has_exactly_one_shard() {
        let ids: Vec<String> = (0..500u64)
            .map(|i| format!("{:012}", 100_000_000_000 + i * 7_919))
            .chain(["not-numeric".to_owned()])
            .collect();
        for count in 1..=7 {
            for id in &ids {
                let owners = (0..count)
                    .filter(|index| {
                        Shard {
                            index: *index,
                            count,
                        }
                        .owns(id)
                    })
                    .count();
                assert_eq!(owners, 1, "{id} in {count} shards");
            }
        }
    }

    #[test]
    fn shards_are_balanced_on_real_looking_ids() {
        let ids: Vec<String> = (0..1000u64)
            .map(|i| {
                format!(
                    "{:012}",
                    (i * 982_451_653 + 123_456_789) % 1_000_000_000_000
                )
            })
            .collect();
        for index in 0..4 {
            let n = ids
                .iter()
                .filter(|id| Shard { index, count: 4 }.owns(id))
                .count();
            assert!((200..=300).contains(&n), "shard {index} has {n} of 1000");
        }
    }

    #[test]
    fn parse_accepts_explicit_and_scheduler_indexes() {
        assert_eq!(
            Shard::parse("2/5", no_env),
            Ok(Shard { index: 2, count: 5 })
        );
        let batch = |v: &str| (v == "AWS_BATCH_JOB_ARRAY_INDEX").then(|| "3".to_owned());
        assert_eq!(
            Shard::parse("auto/4", batch),
            Ok(Shard { index: 3, count: 4 })
        );
        let k8s = |v: &str| (v == "JOB_COMPLETION_INDEX").then(|| "1".to_owned());
        assert_eq!(
            Shard::parse("auto/4", k8s).map(|s| s.to_string()),
            Ok("1/4".to_owned())
        );
    }

    #[test]
    fn parse_rejects_what_it_cannot_use() {
        for (text, message) in [
            ("3", "expected I/N"),
            ("1/0", "N must be a positive integer"),
            ("4/4", "index 4 is out of range for 4 shards"),
            ("x/4", "I must be an integer or `auto`"),
            (
                "auto/4",
                "neither JOB_COMPLETION_INDEX nor AWS_BATCH_JOB_ARRAY_INDEX is set",
            ),
        ] {
            let err = Shard::parse(text, no_env).expect_err(text);
            assert!(err.contains(message), "{text}: {err}");
        }
        let bad = |_: &str| Some("two".to_owned());
        assert!(Shard::parse("auto/4", bad)
            .expect_err("not an integer")
            .contains("JOB_COMPLETION_INDEX=`two` is not an integer"));
    }
}
