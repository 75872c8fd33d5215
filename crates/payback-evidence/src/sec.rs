//! SEC EDGAR XBRL "companyfacts" JSON to observations (docs/evidence.md, "SEC import").
//!
//! Only the concepts in [`CONCEPTS`] are deserialized; everything else in the file is skipped
//! by serde without being built. The traps of the format and how each is handled:
//!
//! - the same fact is repeated once per filing that reported it: rows are grouped on
//!   (concept, unit, start, end), sorted by filing date (an amendment after the original on the
//!   same day), and the latest filing's value wins; each change of value is a revision, and the
//!   earlier values are kept as superseded observations;
//! - `fy`/`fp` describe the filing, not the fact, and are sometimes wrong: they are never read;
//!   periods come from `start`/`end` and are classified by duration;
//! - cash-flow items in 10-Qs are year-to-date: a discrete quarter is the direct three-month row
//!   if there is one, else YTD(n) - YTD(n-1) with the same start, marked `ytd-difference`;
//! - fiscal years that are not calendar years: every value keeps its own dates and maps to the
//!   calendar quarter containing its end (see [`crate::observation::calendar_quarter`]);
//! - a duration row under a balance concept (or the reverse) is a data error: skipped, reported;
//! - the CIK is a number or a zero-padded string;
//! - a concept or period that is absent produces no observation — never a zero.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;

use chrono::NaiveDate;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::observation::{Derivation, InputError, Observation, PeriodClass, parse_date};
use crate::signal::{Kind, Scope, Signal};

/// The us-gaap concepts read, the signal each supplies and its priority within the signal
/// (0 first: a later concept fills only periods the earlier ones lack).
pub const CONCEPTS: &[(&str, Signal, u8)] = &[
    ("RevenueRemainingPerformanceObligation", Signal::Rpo, 0),
    (
        "PaymentsToAcquirePropertyPlantAndEquipment",
        Signal::Capex,
        0,
    ),
    ("NetCashProvidedByUsedInOperatingActivities", Signal::Ocf, 0),
    (
        "RevenueFromContractWithCustomerExcludingAssessedTax",
        Signal::Revenue,
        0,
    ),
    ("Revenues", Signal::Revenue, 1),
    (
        "RevenueFromContractWithCustomerIncludingAssessedTax",
        Signal::Revenue,
        2,
    ),
    ("SalesRevenueNet", Signal::Revenue, 3),
    (
        "DepreciationDepletionAndAmortization",
        Signal::Depreciation,
        0,
    ),
    ("DepreciationAndAmortization", Signal::Depreciation, 1),
    ("PropertyPlantAndEquipmentGross", Signal::PpeGross, 0),
    ("PropertyPlantAndEquipmentNet", Signal::PpeNet, 0),
];

/// The unit key read for every concept.
pub const UNIT: &str = "USD";

/// One fact row as in the file (only the fields used; `fy`, `fp` and `frame` are ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct RawFact {
    /// Period start (duration concepts only).
    pub start: Option<String>,
    /// Period end, or the date of a balance.
    pub end: Option<String>,
    /// Value.
    pub val: Option<f64>,
    /// Accession number of the filing.
    pub accn: Option<String>,
    /// Form of the filing.
    pub form: Option<String>,
    /// Filing date.
    pub filed: Option<String>,
}

/// One concept: its rows by unit key.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RawConcept {
    /// Rows by unit key (`USD`, `shares`, ...).
    #[serde(default)]
    pub units: BTreeMap<String, Vec<RawFact>>,
}

/// The wanted concepts of the `us-gaap` taxonomy; the others are skipped unbuilt.
#[derive(Debug, Clone, Default)]
pub struct Wanted(pub BTreeMap<String, RawConcept>);

impl<'de> Deserialize<'de> for Wanted {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Wanted, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Wanted;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of us-gaap concepts")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Wanted, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    if CONCEPTS.iter().any(|(c, _, _)| *c == key) {
                        let concept: RawConcept = map.next_value()?;
                        out.insert(key, concept);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Wanted(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// A CIK written as a number or as a (zero-padded) string.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum CikValue {
    Number(u64),
    Text(String),
}

#[derive(Debug, Deserialize)]
struct Facts {
    #[serde(rename = "us-gaap", default)]
    us_gaap: Wanted,
}

#[derive(Debug, Deserialize)]
struct Document {
    cik: Option<CikValue>,
    #[serde(rename = "entityName")]
    entity_name: Option<String>,
    facts: Option<Facts>,
}

/// The parts of a companyfacts file that are read.
#[derive(Debug, Clone)]
pub struct CompanyFacts {
    /// Central index key.
    pub cik: Option<u64>,
    /// `entityName`.
    pub entity_name: Option<String>,
    /// The wanted us-gaap concepts present in the file.
    pub concepts: BTreeMap<String, RawConcept>,
}

/// Read a companyfacts document from `reader` (give it a `BufReader`); `file` names it in
/// errors.
pub fn read(file: &str, reader: impl Read) -> Result<CompanyFacts, InputError> {
    let doc: Document = serde_json::from_reader(reader).map_err(|e| {
        InputError::at(
            file,
            format!("line {} column {}", e.line(), e.column()),
            format!("not a companyfacts JSON document: {e}"),
        )
    })?;
    let cik = match doc.cik {
        None => None,
        Some(CikValue::Number(n)) => Some(n),
        Some(CikValue::Text(s)) => {
            let digits = s.trim().trim_start_matches("CIK");
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(InputError::at(
                    file,
                    "cik",
                    format!("`cik` is not a number: \"{s}\""),
                ));
            }
            Some(digits.parse::<u64>().map_err(|_| {
                InputError::at(file, "cik", format!("`cik` is out of range: \"{s}\""))
            })?)
        }
    };
    let facts = doc.facts.ok_or_else(|| {
        InputError::file(
            file,
            "not a companyfacts document: it has no `facts` object",
        )
    })?;
    Ok(CompanyFacts {
        cik,
        entity_name: doc.entity_name,
        concepts: facts.us_gaap.0,
    })
}

/// What the import found, per concept and in total.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SecReport {
    /// USD rows read.
    pub rows: usize,
    /// Distinct (concept, start, end) facts after deduplication.
    pub facts: usize,
    /// Rows dropped as repeats of a fact already reported (same value, later or earlier filing).
    pub duplicates: usize,
    /// Changes of value across filings (each one kept as a superseded observation).
    pub revisions: usize,
    /// Quarters derived by differencing year-to-date totals.
    pub derived_quarters: usize,
    /// Rows skipped as data errors (duration row under a balance concept or the reverse).
    pub skipped_mismatched: usize,
    /// Duration facts whose length is not a quarter, half, nine months or year.
    pub skipped_other_durations: usize,
    /// Half-year and nine-month year-to-date totals used only for differencing.
    pub ytd_totals: usize,
    /// Things the user should know, in a fixed order.
    pub warnings: Vec<String>,
}

/// The observations of one companyfacts file.
#[derive(Debug, Clone)]
pub struct SecImport {
    /// Central index key from the file.
    pub cik: Option<u64>,
    /// `entityName` from the file.
    pub entity_name: Option<String>,
    /// Observations: current values, superseded values (with earlier `recorded` dates) and
    /// derived quarters; sorted by signal, end, start, recorded.
    pub observations: Vec<Observation>,
    /// Counts and warnings.
    pub report: SecReport,
}

/// Builds an observation from a fact.
type MakeObs<'a> = dyn Fn(&Fact, Signal, Derivation, Option<String>) -> Observation + 'a;

/// A checked row.
#[derive(Debug, Clone)]
struct Row {
    start: Option<NaiveDate>,
    end: NaiveDate,
    val: f64,
    accn: String,
    form: String,
    filed: NaiveDate,
}

/// A deduplicated fact: the latest value and the history of earlier values.
#[derive(Debug, Clone)]
struct Fact {
    concept: &'static str,
    start: Option<NaiveDate>,
    end: NaiveDate,
    value: f64,
    /// Latest filing that reported the value.
    accn: String,
    form: String,
    /// First filing date of the latest value.
    recorded: NaiveDate,
    revisions: u32,
    /// Earlier values: (value, first filed, latest accn with that value, form).
    history: Vec<(f64, NaiveDate, String, String)>,
    /// How a derived value was obtained.
    note: Option<String>,
}

impl Fact {
    fn class(&self) -> PeriodClass {
        PeriodClass::of(self.start, self.end)
    }
}

/// Turn the facts of one file into observations for `company`.
pub fn normalise(file: &str, facts: &CompanyFacts, company: &str) -> Result<SecImport, InputError> {
    let mut report = SecReport::default();
    // Deduplicated facts per concept, in CONCEPTS order.
    let mut by_concept: Vec<(&'static str, Signal, Vec<Fact>)> = Vec::new();
    for &(name, signal, _) in CONCEPTS {
        let Some(concept) = facts.concepts.get(name) else {
            continue;
        };
        let Some(rows) = concept.units.get(UNIT) else {
            let units: Vec<&str> = concept.units.keys().map(String::as_str).collect();
            report.warnings.push(format!(
                "{name}: no {UNIT} values (units: {}); skipped",
                units.join(", ")
            ));
            continue;
        };
        let rows = check_rows(file, name, signal, rows, &mut report)?;
        let deduped = dedupe(name, rows, &mut report);
        by_concept.push((name, signal, deduped));
    }

    let mut out: Vec<Observation> = Vec::new();
    let make =
        |f: &Fact, signal: Signal, derivation: Derivation, note: Option<String>| Observation {
            company: company.to_string(),
            cik: facts.cik,
            signal,
            unit: UNIT.to_string(),
            scope: Scope::Company,
            start: f.start,
            end: f.end,
            value: f.value,
            kind: Kind::Reported,
            source: f.accn.clone(),
            recorded: f.recorded,
            derivation,
            concept: Some(f.concept.to_string()),
            form: Some(f.form.clone()),
            revisions: f.revisions,
            note,
        };

    // Per signal: merge concepts by priority, period by period.
    let mut quarters_by_signal: BTreeMap<Signal, BTreeMap<NaiveDate, (Fact, Derivation)>> =
        BTreeMap::new();
    let mut years_by_signal: BTreeMap<Signal, BTreeMap<NaiveDate, Fact>> = BTreeMap::new();
    for (name, signal, list) in &by_concept {
        if signal.instant() {
            for f in list {
                let entry = quarters_by_signal.entry(*signal).or_default();
                entry
                    .entry(f.end)
                    .or_insert_with(|| (f.clone(), Derivation::Direct));
            }
            continue;
        }
        let (quarters, years) = discrete(name, list, &mut report);
        let qs = quarters_by_signal.entry(*signal).or_default();
        for (end, v) in quarters {
            qs.entry(end).or_insert(v);
        }
        let ys = years_by_signal.entry(*signal).or_default();
        for (end, v) in years {
            ys.entry(end).or_insert(v);
        }
    }

    for (signal, facts_by_end) in &quarters_by_signal {
        for (fact, derivation) in facts_by_end.values() {
            push_with_history(&mut out, fact, *signal, *derivation, &make);
        }
    }
    for (signal, facts_by_end) in &years_by_signal {
        for fact in facts_by_end.values() {
            push_with_history(&mut out, fact, *signal, Derivation::Direct, &make);
        }
    }

    // FCF = OCF - capex, for every period where both exist with the same dates.
    let empty_q = BTreeMap::new();
    let empty_y = BTreeMap::new();
    let (ocf_q, capex_q) = (
        quarters_by_signal.get(&Signal::Ocf).unwrap_or(&empty_q),
        quarters_by_signal.get(&Signal::Capex).unwrap_or(&empty_q),
    );
    let mut fcf: Vec<Observation> = Vec::new();
    for (end, (o, od)) in ocf_q {
        if let Some((c, cd)) = capex_q.get(end)
            && c.start == o.start
        {
            fcf.push(fcf_obs(o, c, *od, *cd, &make));
        }
    }
    let (ocf_y, capex_y) = (
        years_by_signal.get(&Signal::Ocf).unwrap_or(&empty_y),
        years_by_signal.get(&Signal::Capex).unwrap_or(&empty_y),
    );
    for (end, o) in ocf_y {
        if let Some(c) = capex_y.get(end)
            && c.start == o.start
        {
            fcf.push(fcf_obs(o, c, Derivation::Direct, Derivation::Direct, &make));
        }
    }
    out.extend(fcf);

    out.sort_by(|a, b| {
        (a.signal, a.end, a.start, a.recorded)
            .cmp(&(b.signal, b.end, b.start, b.recorded))
            .then(a.value.total_cmp(&b.value))
    });
    Ok(SecImport {
        cik: facts.cik,
        entity_name: facts.entity_name.clone(),
        observations: out,
        report,
    })
}

fn fcf_obs(o: &Fact, c: &Fact, od: Derivation, cd: Derivation, make: &MakeObs<'_>) -> Observation {
    let mut obs = make(o, Signal::Fcf, Derivation::OcfMinusCapex, None);
    obs.value = o.value - c.value;
    obs.recorded = o.recorded.max(c.recorded);
    obs.revisions = o.revisions + c.revisions;
    obs.concept = Some(format!("{} - {}", o.concept, c.concept));
    obs.note = Some(format!(
        "OCF {} ({}, {}) - capex {} ({}, {})",
        o.value,
        o.accn,
        od.name(),
        c.value,
        c.accn,
        cd.name()
    ));
    obs
}

fn push_with_history(
    out: &mut Vec<Observation>,
    f: &Fact,
    signal: Signal,
    derivation: Derivation,
    make: &MakeObs<'_>,
) {
    let note = match derivation {
        Derivation::YtdDifference => None,
        _ if f.revisions > 0 => Some(format!(
            "revised {} time(s) across filings; earlier values kept as superseded",
            f.revisions
        )),
        _ => None,
    };
    if derivation == Derivation::Direct {
        for (value, filed, accn, form) in &f.history {
            let mut h = make(
                f,
                signal,
                derivation,
                Some("superseded by a later filing".into()),
            );
            h.value = *value;
            h.recorded = *filed;
            h.source = accn.clone();
            h.form = Some(form.clone());
            h.revisions = 0;
            out.push(h);
        }
    }
    let note = if derivation == Derivation::YtdDifference {
        f.note.clone()
    } else {
        note
    };
    out.push(make(f, signal, derivation, note));
}

fn check_rows(
    file: &str,
    concept: &str,
    signal: Signal,
    rows: &[RawFact],
    report: &mut SecReport,
) -> Result<Vec<Row>, InputError> {
    let mut out = Vec::with_capacity(rows.len());
    let mut mismatched = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let loc = || format!("us-gaap/{concept}/units/{UNIT}[{i}]");
        let date = |name: &str, v: &Option<String>| -> Result<Option<NaiveDate>, InputError> {
            match v {
                None => Ok(None),
                Some(s) => parse_date(s).map(Some).ok_or_else(|| {
                    InputError::at(file, loc(), format!("`{name}` is not a date: \"{s}\""))
                }),
            }
        };
        let end = date("end", &r.end)?
            .ok_or_else(|| InputError::at(file, loc(), "the row has no `end`"))?;
        let start = date("start", &r.start)?;
        let filed = date("filed", &r.filed)?
            .ok_or_else(|| InputError::at(file, loc(), "the row has no `filed` date"))?;
        let val = r
            .val
            .filter(|v| v.is_finite())
            .ok_or_else(|| InputError::at(file, loc(), "the row has no finite `val`"))?;
        let accn = r
            .accn
            .clone()
            .filter(|a| !a.trim().is_empty())
            .ok_or_else(|| InputError::at(file, loc(), "the row has no `accn`"))?;
        if let Some(s) = start
            && s > end
        {
            return Err(InputError::at(
                file,
                loc(),
                format!("`start` {s} is after `end` {end}"),
            ));
        }
        report.rows += 1;
        // Balances have no start; flows must have one.
        if signal.instant() == start.is_some() {
            mismatched.push(loc());
            continue;
        }
        out.push(Row {
            start,
            end,
            val,
            accn,
            form: r.form.clone().unwrap_or_default(),
            filed,
        });
    }
    if !mismatched.is_empty() {
        report.skipped_mismatched += mismatched.len();
        let what = if signal.instant() {
            "a period (start) under a balance concept"
        } else {
            "no start under a duration concept"
        };
        report.warnings.push(format!(
            "{concept}: {} row(s) with {what} skipped as data errors: {}",
            mismatched.len(),
            mismatched.join(", ")
        ));
    }
    Ok(out)
}

/// Group on (start, end); latest filing wins; count revisions and duplicates.
fn dedupe(concept: &'static str, rows: Vec<Row>, report: &mut SecReport) -> Vec<Fact> {
    let mut groups: BTreeMap<(Option<NaiveDate>, NaiveDate), Vec<Row>> = BTreeMap::new();
    for r in rows {
        groups.entry((r.start, r.end)).or_default().push(r);
    }
    let mut out = Vec::with_capacity(groups.len());
    for ((start, end), mut rows) in groups {
        // Filing order; an amendment after the original filed the same day; then accession.
        rows.sort_by(|a, b| {
            (a.filed, a.form.ends_with("/A"), &a.accn).cmp(&(
                b.filed,
                b.form.ends_with("/A"),
                &b.accn,
            ))
        });
        // Runs of equal values: (value, first filed, last accn, last form).
        let mut runs: Vec<(f64, NaiveDate, String, String)> = Vec::new();
        for r in &rows {
            match runs.last_mut() {
                Some(last) if last.0 == r.val => {
                    last.2.clone_from(&r.accn);
                    last.3.clone_from(&r.form);
                }
                _ => runs.push((r.val, r.filed, r.accn.clone(), r.form.clone())),
            }
        }
        let revisions = runs.len().saturating_sub(1);
        report.facts += 1;
        report.revisions += revisions;
        report.duplicates += rows.len() - runs.len();
        let Some((value, recorded, accn, form)) = runs.pop() else {
            continue;
        };
        out.push(Fact {
            concept,
            start,
            end,
            value,
            accn,
            form,
            recorded,
            revisions: u32::try_from(revisions).unwrap_or(u32::MAX),
            history: runs,
            note: None,
        });
    }
    out
}

/// Discrete quarters (direct three-month facts first, else differenced year-to-date totals)
/// and fiscal years, keyed by end date.
#[allow(clippy::type_complexity)]
fn discrete(
    concept: &str,
    facts: &[Fact],
    report: &mut SecReport,
) -> (
    BTreeMap<NaiveDate, (Fact, Derivation)>,
    BTreeMap<NaiveDate, Fact>,
) {
    let mut quarters: BTreeMap<NaiveDate, (Fact, Derivation)> = BTreeMap::new();
    let mut years: BTreeMap<NaiveDate, Fact> = BTreeMap::new();
    // Year-to-date chains by start: class -> fact.
    let mut chains: BTreeMap<NaiveDate, BTreeMap<PeriodClass, &Fact>> = BTreeMap::new();
    for f in facts {
        let class = f.class();
        match class {
            PeriodClass::Quarter => {
                quarters.insert(f.end, (f.clone(), Derivation::Direct));
            }
            PeriodClass::Year => {
                years.insert(f.end, f.clone());
            }
            PeriodClass::Half | PeriodClass::NineMonths => report.ytd_totals += 1,
            PeriodClass::Other => report.skipped_other_durations += 1,
            PeriodClass::Instant => {}
        }
        if let Some(start) = f.start
            && class != PeriodClass::Other
        {
            chains.entry(start).or_default().insert(class, f);
        }
    }
    let steps = [
        (PeriodClass::Quarter, PeriodClass::Half),
        (PeriodClass::Half, PeriodClass::NineMonths),
        (PeriodClass::NineMonths, PeriodClass::Year),
    ];
    let mut inconsistent = Vec::new();
    for chain in chains.values() {
        for (prev_class, class) in steps {
            let (Some(prev), Some(total)) = (chain.get(&prev_class), chain.get(&class)) else {
                continue;
            };
            let Some(start) = prev.end.succ_opt() else {
                continue;
            };
            if PeriodClass::of(Some(start), total.end) != PeriodClass::Quarter {
                continue;
            }
            let value = total.value - prev.value;
            if let Some((direct, _)) = quarters.get(&total.end) {
                let scale = direct.value.abs().max(value.abs()).max(1.0);
                if (direct.value - value).abs() > 0.005 * scale {
                    inconsistent.push(format!(
                        "{} (reported {}, YTD difference {})",
                        total.end, direct.value, value
                    ));
                }
                continue;
            }
            let mut note = format!(
                "YTD {}..{} ({}) minus YTD {}..{} ({})",
                total.start.map(|d| d.to_string()).unwrap_or_default(),
                total.end,
                total.accn,
                prev.start.map(|d| d.to_string()).unwrap_or_default(),
                prev.end,
                prev.accn
            );
            if (total.revisions > 0) != (prev.revisions > 0) {
                note.push_str("; one of the two totals was revised: check the quarter");
            }
            let fact = Fact {
                concept: total.concept,
                start: Some(start),
                end: total.end,
                value,
                accn: total.accn.clone(),
                form: total.form.clone(),
                recorded: total.recorded.max(prev.recorded),
                revisions: total.revisions + prev.revisions,
                history: Vec::new(),
                note: Some(note),
            };
            report.derived_quarters += 1;
            quarters.insert(total.end, (fact, Derivation::YtdDifference));
        }
    }
    if !inconsistent.is_empty() {
        report.warnings.push(format!(
            "{concept}: reported quarters that disagree with their YTD difference: {}",
            inconsistent.join("; ")
        ));
    }
    (quarters, years)
}
