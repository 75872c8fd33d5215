//! The observation store: one SQLite file (the only module of this crate that does IO).
//!
//! Every import is one transaction: either all its rows are stored, with their revision links,
//! or none is and the database is as before. An observation's identity is (company, signal,
//! unit, scope, kind, start, end, value, recorded): storing the same observation again adds
//! nothing. A different value for the same (company, signal, unit, scope, kind, start, end) is a
//! revision: both rows are kept, the one recorded later is current and `revises` the other,
//! which is marked `superseded_by` it. Schema and rules: docs/evidence.md, "Store".

use std::fmt;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Serialize;

use crate::observation::{Derivation, Observation, parse_date};
use crate::signal::{Kind, Scope, Signal};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    file TEXT NOT NULL,
    at TEXT NOT NULL,
    added INTEGER NOT NULL,
    revisions INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS observations (
    id INTEGER PRIMARY KEY,
    company TEXT NOT NULL COLLATE NOCASE CHECK (length(company) > 0),
    cik INTEGER,
    signal TEXT NOT NULL,
    unit TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('company', 'ai')),
    kind TEXT NOT NULL CHECK (kind IN ('reported', 'guidance', 'estimate')),
    start TEXT NOT NULL,
    end TEXT NOT NULL,
    value REAL NOT NULL,
    source TEXT NOT NULL,
    recorded TEXT NOT NULL,
    derivation TEXT NOT NULL,
    concept TEXT,
    form TEXT,
    revisions INTEGER NOT NULL,
    note TEXT,
    import_id INTEGER NOT NULL REFERENCES imports(id),
    revises INTEGER REFERENCES observations(id),
    superseded_by INTEGER REFERENCES observations(id),
    UNIQUE (company, signal, unit, scope, kind, start, end, value, recorded)
);
CREATE INDEX IF NOT EXISTS observations_series
    ON observations (company, signal, unit, scope, kind, start, end);
PRAGMA user_version = 1;
";

/// A failure of the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    /// What went wrong, with the file and row when an import failed.
    pub message: String,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {}

fn err(context: impl fmt::Display, e: impl fmt::Display) -> StoreError {
    StoreError {
        message: format!("{context}: {e}"),
    }
}

/// An observation as stored, with its id and revision links.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stored {
    /// Row id.
    pub id: i64,
    /// The observation.
    #[serde(flatten)]
    pub obs: Observation,
    /// The row this one revised (a different value for the same period, recorded earlier).
    pub revises: Option<i64>,
    /// The row that revised this one; `None` = current.
    pub superseded_by: Option<i64>,
    /// The import that stored it.
    pub import_id: i64,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ImportSummary {
    /// Rows offered.
    pub offered: usize,
    /// New rows stored.
    pub added: usize,
    /// Rows already stored (identical), not added again.
    pub unchanged: usize,
    /// New rows that revised a stored value or were revised by one.
    pub revisions: usize,
}

/// Which rows to read.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Company name or its beginning (case-insensitive), or CIK.
    pub company: Option<String>,
    /// One signal.
    pub signal: Option<Signal>,
    /// Include superseded rows.
    pub include_superseded: bool,
}

/// The SQLite observation store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Open (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path)
            .map_err(|e| err(format!("cannot open the database `{}`", path.display()), e))?;
        Store::init(conn, &path.display().to_string())
    }

    /// An in-memory store (tests).
    pub fn in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory().map_err(|e| err("in-memory database", e))?;
        Store::init(conn, ":memory:")
    }

    fn init(conn: Connection, name: &str) -> Result<Store, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| err(name, e))?;
        conn.execute_batch(SCHEMA)
            .map_err(|e| err(format!("cannot set up the database `{name}`"), e))?;
        Ok(Store { conn })
    }

    /// Store the observations of one file in one transaction. `kind` (`csv`, `sec`), `file`
    /// and `at` (the date of the import) are logged; an import that adds nothing leaves no
    /// trace. On any error nothing is stored and the error names the file and the row
    /// (1-based, in the order given).
    pub fn import(
        &mut self,
        kind: &str,
        file: &str,
        at: &str,
        observations: &[Observation],
    ) -> Result<ImportSummary, StoreError> {
        let tx = self
            .conn
            .transaction()
            .map_err(|e| err(format!("{file}: cannot start a transaction"), e))?;
        tx.execute(
            "INSERT INTO imports (kind, file, at, added, revisions) VALUES (?1, ?2, ?3, 0, 0)",
            params![kind, file, at],
        )
        .map_err(|e| err(format!("{file}: cannot log the import"), e))?;
        let import_id = tx.last_insert_rowid();
        let mut summary = ImportSummary {
            offered: observations.len(),
            ..ImportSummary::default()
        };
        for (i, o) in observations.iter().enumerate() {
            let row = i + 1;
            let fail = |e: rusqlite::Error| {
                err(
                    format!(
                        "{file}: observation {row} ({} {} {} {})",
                        o.company,
                        o.signal,
                        o.period_text(),
                        o.value
                    ),
                    e,
                )
            };
            if !o.value.is_finite() {
                return Err(StoreError {
                    message: format!(
                        "{file}: observation {row} ({} {} {}): the value is not finite",
                        o.company,
                        o.signal,
                        o.period_text()
                    ),
                });
            }
            let start = o.start.map(|d| d.to_string()).unwrap_or_default();
            let end = o.end.to_string();
            let recorded = o.recorded.to_string();
            let n = tx
                .execute(
                    "INSERT INTO observations (company, cik, signal, unit, scope, kind, \
                     start, end, value, source, recorded, derivation, concept, form, revisions, \
                     note, import_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, \
                     ?13, ?14, ?15, ?16, ?17) ON CONFLICT (company, signal, unit, scope, kind, \
                     start, end, value, recorded) DO NOTHING",
                    params![
                        o.company,
                        o.cik.and_then(|c| i64::try_from(c).ok()),
                        o.signal.name(),
                        o.unit,
                        o.scope.name(),
                        o.kind.name(),
                        start,
                        end,
                        o.value,
                        o.source,
                        recorded,
                        o.derivation.name(),
                        o.concept,
                        o.form,
                        o.revisions,
                        o.note,
                        import_id
                    ],
                )
                .map_err(fail)?;
            if n == 0 {
                summary.unchanged += 1;
                continue;
            }
            summary.added += 1;
            let id = tx.last_insert_rowid();
            // The current row of the same series and period, if any.
            let current: Option<(i64, String)> = tx
                .query_row(
                    "SELECT id, recorded FROM observations WHERE company = ?1 AND signal = ?2 \
                     AND unit = ?3 AND scope = ?4 AND kind = ?5 AND start = ?6 AND end = ?7 \
                     AND superseded_by IS NULL AND id != ?8 ORDER BY recorded DESC, id DESC \
                     LIMIT 1",
                    params![
                        o.company,
                        o.signal.name(),
                        o.unit,
                        o.scope.name(),
                        o.kind.name(),
                        start,
                        end,
                        id
                    ],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(fail)?;
            if let Some((cur, cur_recorded)) = current {
                summary.revisions += 1;
                if recorded >= cur_recorded {
                    tx.execute(
                        "UPDATE observations SET superseded_by = ?1 WHERE id = ?2",
                        params![id, cur],
                    )
                    .map_err(fail)?;
                    tx.execute(
                        "UPDATE observations SET revises = ?1 WHERE id = ?2",
                        params![cur, id],
                    )
                    .map_err(fail)?;
                } else {
                    // An older value arriving late: stored, superseded at once.
                    tx.execute(
                        "UPDATE observations SET superseded_by = ?1 WHERE id = ?2",
                        params![cur, id],
                    )
                    .map_err(fail)?;
                }
            }
        }
        if summary.added == 0 {
            // Nothing new: leave no trace of the attempt.
            tx.rollback()
                .map_err(|e| err(format!("{file}: cannot end the transaction"), e))?;
            return Ok(summary);
        }
        tx.execute(
            "UPDATE imports SET added = ?1, revisions = ?2 WHERE id = ?3",
            params![summary.added as i64, summary.revisions as i64, import_id],
        )
        .map_err(|e| err(format!("{file}: cannot log the import"), e))?;
        tx.commit()
            .map_err(|e| err(format!("{file}: cannot commit"), e))?;
        Ok(summary)
    }

    /// Rows matching `filter`, ordered by company, signal, kind, scope, end, start, recorded, id.
    pub fn observations(&self, filter: &Filter) -> Result<Vec<Stored>, StoreError> {
        let company = filter.company.clone().unwrap_or_default();
        let cik: Option<i64> = company.trim().trim_start_matches("CIK").parse::<i64>().ok();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, company, cik, signal, unit, scope, kind, start, end, value, source, \
                 recorded, derivation, concept, form, revisions, note, import_id, revises, \
                 superseded_by FROM observations \
                 WHERE (?1 = '' OR company = ?1 OR company LIKE ?1 || '%' OR cik = ?2) \
                 AND (?3 = '' OR signal = ?3) AND (?4 OR superseded_by IS NULL) \
                 ORDER BY company, signal, kind, scope, end, start, recorded, id",
            )
            .map_err(|e| err("cannot read observations", e))?;
        let signal = filter.signal.map(Signal::name).unwrap_or_default();
        let rows = stmt
            .query_map(
                params![company, cik, signal, filter.include_superseded],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<i64>>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, String>(8)?,
                        r.get::<_, f64>(9)?,
                        r.get::<_, String>(10)?,
                        r.get::<_, String>(11)?,
                        (
                            r.get::<_, String>(12)?,
                            r.get::<_, Option<String>>(13)?,
                            r.get::<_, Option<String>>(14)?,
                            r.get::<_, i64>(15)?,
                            r.get::<_, Option<String>>(16)?,
                            r.get::<_, i64>(17)?,
                            r.get::<_, Option<i64>>(18)?,
                            r.get::<_, Option<i64>>(19)?,
                        ),
                    ))
                },
            )
            .map_err(|e| err("cannot read observations", e))?;
        let mut out = Vec::new();
        for row in rows {
            let (
                id,
                company,
                cik,
                signal,
                unit,
                scope,
                kind,
                start,
                end,
                value,
                source,
                recorded,
                (derivation, concept, form, revisions, note, import_id, revises, superseded_by),
            ) = row.map_err(|e| err("cannot read observations", e))?;
            let bad = |what: &str, v: &str| StoreError {
                message: format!("observation {id} in the database has a bad {what}: `{v}`"),
            };
            let obs = Observation {
                company,
                cik: cik.and_then(|c| u64::try_from(c).ok()),
                signal: Signal::parse(&signal).ok_or_else(|| bad("signal", &signal))?,
                unit,
                scope: Scope::parse(&scope).ok_or_else(|| bad("scope", &scope))?,
                start: if start.is_empty() {
                    None
                } else {
                    Some(parse_date(&start).ok_or_else(|| bad("start", &start))?)
                },
                end: parse_date(&end).ok_or_else(|| bad("end", &end))?,
                value,
                kind: Kind::parse(&kind).ok_or_else(|| bad("kind", &kind))?,
                source,
                recorded: parse_date(&recorded).ok_or_else(|| bad("recorded", &recorded))?,
                derivation: Derivation::parse(&derivation)
                    .ok_or_else(|| bad("derivation", &derivation))?,
                concept,
                form,
                revisions: u32::try_from(revisions).unwrap_or(0),
                note,
            };
            out.push(Stored {
                id,
                obs,
                revises,
                superseded_by,
                import_id,
            });
        }
        Ok(out)
    }

    /// Number of observation rows (all, superseded included).
    pub fn count(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM observations", [], |r| r.get(0))
            .map_err(|e| err("cannot count observations", e))
    }

    /// Number of logged imports.
    pub fn import_count(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM imports", [], |r| r.get(0))
            .map_err(|e| err("cannot count imports", e))
    }
}
