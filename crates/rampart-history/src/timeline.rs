//! One finding's life across the runs: when it was first and last seen, when it was
//! resolved, and every change of its status with the run that made it
//! (`rampart history finding FINGERPRINT`).

use chrono::{DateTime, Utc};
use rampart_engine::vocab::Area;
use rusqlite::OptionalExtension;
use serde::Serialize;

use crate::{parse_time, History, HistoryError, Lifecycle};

/// A change of a finding's status, as one run recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusChange {
    /// The run that recorded the change.
    pub run: i64,
    /// When that run was recorded.
    pub recorded_at: DateTime<Utc>,
    /// The status before (`None` for the run that first saw it); `absent` once no run
    /// reported it.
    pub from: Option<String>,
    /// The status from this run on: `pass`, `fail`, `unknown`, `waived` or `absent`.
    pub to: String,
}

/// A finding's identity, its life, and its status changes, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingTimeline {
    /// Its fingerprint.
    pub fingerprint: String,
    /// The rule id.
    pub rule_id: String,
    /// The rule's title in the latest run that ran it (its id when none kept titles).
    pub title: String,
    /// The rule's area.
    pub area: Area,
    /// The resource ARN.
    pub resource: String,
    /// The resource type.
    pub resource_type: String,
    /// The owning account.
    pub account_id: String,
    /// The region.
    pub region: String,
    /// Its latest status (`absent` when the latest runs no longer report it).
    pub status: String,
    /// First seen, last seen, resolved.
    #[serde(flatten)]
    pub life: Lifecycle,
    /// Every change of its status, oldest first; runs pruned since are gone from it.
    pub changes: Vec<StatusChange>,
}

impl History {
    /// The timeline of the finding with this fingerprint (a unique prefix of at least 8
    /// characters is enough).
    pub fn finding_timeline(&self, fingerprint: &str) -> Result<FindingTimeline, HistoryError> {
        let no_such = || HistoryError::NoSuchFinding {
            path: self.path.clone(),
            fingerprint: fingerprint.to_owned(),
        };
        let fingerprint = self.full_fingerprint(fingerprint)?.ok_or_else(no_such)?;
        let row = self
            .conn
            .query_row(
                "SELECT f.rule_id, coalesce((SELECT rr.title FROM run_rules rr
                        WHERE rr.rule_id = f.rule_id ORDER BY rr.run_id DESC LIMIT 1), f.rule_id),
                    f.area, f.resource, f.resource_type, f.account_id, f.region, f.status,
                    f.first_seen, f.last_seen, f.resolved_at
                 FROM findings f WHERE f.fingerprint = ?1",
                [&fingerprint],
                |row| {
                    (0..11)
                        .map(|i| row.get::<_, Option<String>>(i))
                        .collect::<Result<Vec<_>, _>>()
                },
            )
            .optional()
            .map_err(|e| self.sqlite(e))?
            .ok_or_else(no_such)?;
        let text = |i: usize| row[i].clone().unwrap_or_default();
        let time = |i: usize| {
            let t = text(i);
            parse_time(&t).ok_or_else(|| self.corrupt(format!("finding {fingerprint}: time `{t}`")))
        };
        let area_text = text(2);
        let area = Area::ALL
            .into_iter()
            .find(|a| a.as_str() == area_text)
            .ok_or_else(|| self.corrupt(format!("finding {fingerprint}: area `{area_text}`")))?;
        let life = Lifecycle {
            first_seen: time(8)?,
            last_seen: time(9)?,
            resolved_at: match row[10].is_some() {
                true => Some(time(10)?),
                false => None,
            },
        };
        let mut stmt = self
            .conn
            .prepare(
                "SELECT sc.run_id, r.recorded_at, sc.from_status, sc.to_status
                 FROM status_changes sc JOIN runs r ON r.id = sc.run_id
                 WHERE sc.fingerprint = ?1 ORDER BY sc.run_id",
            )
            .map_err(|e| self.sqlite(e))?;
        let rows = stmt
            .query_map([&fingerprint], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Option<String>>(2)?,
                    row.get::<_, String>(3)?,
                ))
            })
            .map_err(|e| self.sqlite(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sqlite(e))?;
        let changes = rows
            .into_iter()
            .map(|(run, recorded_at, from, to)| {
                let recorded_at = parse_time(&recorded_at)
                    .ok_or_else(|| self.corrupt(format!("run {run}: time `{recorded_at}`")))?;
                Ok(StatusChange {
                    run,
                    recorded_at,
                    from,
                    to,
                })
            })
            .collect::<Result<Vec<_>, HistoryError>>()?;
        Ok(FindingTimeline {
            rule_id: text(0),
            title: text(1),
            area,
            resource: text(3),
            resource_type: text(4),
            account_id: text(5),
            region: text(6),
            status: text(7),
            life,
            changes,
            fingerprint,
        })
    }

    /// The fingerprint `given` names: itself, or the one fingerprint it is a prefix of (8
    /// characters at least); `None` when none or several match.
    fn full_fingerprint(&self, given: &str) -> Result<Option<String>, HistoryError> {
        if given.len() < 8 || !given.bytes().all(|b| b.is_ascii_hexdigit()) {
            return self
                .conn
                .query_row(
                    "SELECT fingerprint FROM findings WHERE fingerprint = ?1",
                    [given],
                    |row| row.get(0),
                )
                .optional()
                .map_err(|e| self.sqlite(e));
        }
        let given = given.to_ascii_lowercase();
        let mut stmt = self
            .conn
            .prepare("SELECT fingerprint FROM findings WHERE fingerprint >= ?1 AND fingerprint < ?1 || 'g' ORDER BY fingerprint LIMIT 2")
            .map_err(|e| self.sqlite(e))?;
        let found = stmt
            .query_map([&given], |row| row.get::<_, String>(0))
            .map_err(|e| self.sqlite(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.sqlite(e))?;
        Ok(match found.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        })
    }
}
