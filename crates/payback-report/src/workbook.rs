//! The Excel workbook: Summary, Assumptions, Quarterly, Annual (and Annual fiscal), Vintages
//! and, with uncertainty, Percentiles and Tornado; with evidence, Evidence and Weights
//! ([`crate::evidence`]).
//!
//! Cells hold the engine's numbers unrounded; number formats do the display (money cells
//! hold US dollars and show millions, `$M`; ratios show as percentages; quarters carry their
//! end date). Every data sheet is an Excel table with filters and a frozen header row.
//!
//! On the Summary sheet the totals, the NPV, the IRR and the peak funding need are live
//! formulas over the Quarterly sheet, each with its cached result set to the engine's value
//! (so readers that do not recalculate show the right number, and Excel, which does, shows
//! whether it agrees):
//!
//! - totals: `=SUM(Quarterly!X2:X49)` over the run's block of rows;
//! - NPV (`docs/model`: flows at quarter ends, annual rate, discounted to the start of the
//!   first quarter): `=SUMPRODUCT(F/(1+r)^((ROW(F)-ROW(F1)+1)/4))` with `r` the discount-rate
//!   cell of the Summary sheet, so an analyst can change it;
//! - IRR: `=(1+IRR(F, g))^4-1`, Excel's quarterly IRR annualised, with the engine's quarterly
//!   root as the guess `g` (no formula when the flows never change sign);
//! - peak funding need: `=MAX(0,-MIN(C))` over cumulative FCF.
//!
//! The file has no timestamp: the document's creation date is fixed, so the same inputs
//! give the same bytes.

use rust_xlsxwriter::{
    ColNum, DocProperties, ExcelDateTime, Format, FormatAlign, Formula, RowNum, Table, TableColumn,
    TableStyle, Workbook, Worksheet, XlsxError, utility::column_number_to_name,
};

use payback_model::Projection;
use payback_model::finance::Payback;

use crate::Run;
use crate::annual::{Annual, YearBasis, rollups_for};
use crate::assumptions::{Assumption, AssumptionValue, merged};
use crate::charts::uncertainty::Uncertainty;
use crate::evidence::Evidence;
use crate::tidy::optional_series;

/// Sheet names.
pub const SUMMARY: &str = "Summary";
/// Assumptions sheet.
pub const ASSUMPTIONS: &str = "Assumptions";
/// Quarterly sheet: one block of rows per run.
pub const QUARTERLY: &str = "Quarterly";
/// Calendar years.
pub const ANNUAL: &str = "Annual";
/// Fiscal years, when a run has a fiscal year end other than December.
pub const ANNUAL_FISCAL: &str = "Annual fiscal";
/// The vintage table.
pub const VINTAGES: &str = "Vintages";
/// Percentiles of cumulative FCF (with uncertainty).
pub const PERCENTILES: &str = "Percentiles";
/// Tornado rows (with uncertainty).
pub const TORNADO: &str = "Tornado";

/// Leading columns of the Quarterly sheet before the series: Scenario, Quarter, Quarter end.
pub const QUARTERLY_KEYS: [&str; 3] = ["Scenario", "Quarter", "Quarter end"];

/// The header suffix and number format for a unit.
pub fn unit_format(unit: &str) -> (&'static str, &'static str) {
    match unit {
        "USD" => (" ($M)", "#,##0.0,,;-#,##0.0,,;0.0"),
        "USD/year" => (" ($M/yr)", "#,##0.0,,;-#,##0.0,,;0.0"),
        "ratio" => (" (%)", "0.0%"),
        "USD/ref-hour" => (" ($/ref-hour)", "$#,##0.000"),
        "USD/Mtok" => (" ($/Mtok)", "$#,##0.000"),
        "USD/seat-month" => (" ($/seat-month)", "$#,##0.00"),
        "ref-hours" => (" (M ref-hours)", "#,##0.0,,"),
        "tokens" => (" (T tokens)", "#,##0.000,,,,"),
        "tokens/ref-hour" => (" (tokens/ref-hour)", "#,##0"),
        "accelerators" => (" (accelerators)", "#,##0"),
        "seats" => (" (seats)", "#,##0"),
        "MW" => (" (MW)", "#,##0.0"),
        "x" => (" (x)", "0.00\"x\""),
        "years" => (" (years)", "0.0"),
        _ => ("", "General"),
    }
}

/// One column of the Quarterly sheet.
struct QCol {
    name: String,
    unit: &'static str,
    /// Per run: the values (`None` = empty cell).
    values: Vec<Vec<Option<f64>>>,
}

/// Where each run's rows are on the Quarterly sheet and where each series is.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Per run: first and last row (0-based, inclusive) of its block; `None` without quarters.
    pub blocks: Vec<Option<(RowNum, RowNum)>>,
    /// Series name → column.
    pub columns: Vec<(String, ColNum)>,
}

impl Layout {
    fn col(&self, name: &str) -> Option<ColNum> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| *c)
    }

    /// `Quarterly!$X$2:$X$49` for series `name` of run `run`.
    fn range(&self, name: &str, run: usize) -> Option<String> {
        let col = column_number_to_name(self.col(name)?);
        let (r0, r1) = (*self.blocks.get(run)?)?;
        Some(format!("{QUARTERLY}!${col}${}:${col}${}", r0 + 1, r1 + 1))
    }

    /// `Quarterly!$X$2`, the first cell of the run's block.
    fn first(&self, name: &str, run: usize) -> Option<String> {
        let col = column_number_to_name(self.col(name)?);
        let (r0, _) = (*self.blocks.get(run)?)?;
        Some(format!("{QUARTERLY}!${col}${}", r0 + 1))
    }
}

struct Formats {
    header: Format,
    bold: Format,
    title: Format,
    note: Format,
    date: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
            note: Format::new().set_italic().set_font_color("#555555"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        }
    }
}

pub(crate) fn num_format(unit: &str) -> Format {
    Format::new().set_num_format(unit_format(unit).1)
}

/// A table over `header` and `rows` data rows starting at (`row`, 0), with filters, and the
/// header row frozen.
pub(crate) fn add_table(
    ws: &mut Worksheet,
    name: &str,
    header_row: RowNum,
    headers: &[String],
    data_rows: u32,
) -> Result<(), XlsxError> {
    if headers.is_empty() {
        return Ok(());
    }
    let columns: Vec<TableColumn> = headers
        .iter()
        .map(|h| TableColumn::new().set_header(h))
        .collect();
    let table = Table::new()
        .set_name(name)
        .set_style(TableStyle::Light9)
        .set_columns(&columns);
    let last_col = ColNum::try_from(headers.len() - 1).unwrap_or(ColNum::MAX);
    // A table needs at least one data row.
    let last_row = header_row + data_rows.max(1);
    ws.add_table(header_row, 0, last_row, last_col, &table)?;
    ws.set_freeze_panes(header_row + 1, 0)?;
    Ok(())
}

/// Unique table headers: a repeated header gets ` (2)`, ` (3)`...
pub(crate) fn unique(headers: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(headers.len());
    for h in headers {
        let mut candidate = h.clone();
        let mut k = 2;
        while out.iter().any(|o| o.eq_ignore_ascii_case(&candidate)) {
            candidate = format!("{h} ({k})");
            k += 1;
        }
        out.push(candidate);
    }
    out
}

pub(crate) fn write_opt(
    ws: &mut Worksheet,
    row: RowNum,
    col: ColNum,
    v: Option<f64>,
    f: &Format,
) -> Result<(), XlsxError> {
    match v {
        Some(x) if x.is_finite() => {
            ws.write_number_with_format(row, col, if x == 0.0 { 0.0 } else { x }, f)?;
        }
        _ => {}
    }
    Ok(())
}

/// A number as a formula's cached result: shortest round-trip text, never an exponent.
fn result_text(x: f64) -> String {
    crate::fmt::plain(Some(x))
}

fn quarter_date(q: payback_model::Quarter) -> Result<ExcelDateTime, XlsxError> {
    let month = q.q() * 3;
    let day = match month {
        3 | 12 => 31,
        _ => 30,
    };
    let year = u16::try_from(q.year()).map_err(|_| {
        XlsxError::ParameterError(format!("year {} is outside Excel's dates", q.year()))
    })?;
    ExcelDateTime::from_ymd(year, month, day)
}

/// The workbook for `runs` (`assumptions[i]` belongs to `runs[i]`), and the uncertainty
/// sheets when `uncertainty` is given, as bytes.
///
/// # Errors
/// When rust_xlsxwriter refuses the content (a bug, or a year outside Excel's date range).
pub fn render(
    runs: &[Run<'_>],
    assumptions: &[Vec<Assumption>],
    uncertainty: Option<&Uncertainty>,
) -> Result<Vec<u8>, XlsxError> {
    render_with_evidence(runs, assumptions, uncertainty, None)
}

/// [`render`], and the Evidence and Weights sheets ([`crate::evidence::sheets`]) when
/// `evidence` is given (last, after the uncertainty sheets).
///
/// # Errors
/// As [`render`].
pub fn render_with_evidence(
    runs: &[Run<'_>],
    assumptions: &[Vec<Assumption>],
    uncertainty: Option<&Uncertainty>,
    evidence: Option<&Evidence>,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title("payback report")
            .set_author("payback")
            .set_creation_datetime(&created),
    );
    let f = Formats::new();
    // Sheets in reading order; Summary is written last because it needs the layout.
    wb.add_worksheet().set_name(SUMMARY)?;
    assumptions_sheet(
        wb.add_worksheet().set_name(ASSUMPTIONS)?,
        runs,
        assumptions,
        &f,
    )?;
    let layout = quarterly_sheet(wb.add_worksheet().set_name(QUARTERLY)?, runs, &f)?;
    annual_sheet(
        wb.add_worksheet().set_name(ANNUAL)?,
        runs,
        YearBasis::Calendar,
        &f,
    )?;
    if runs
        .iter()
        .any(|r| rollups_for(r.settings, r.projection).len() > 1)
    {
        annual_sheet(
            wb.add_worksheet().set_name(ANNUAL_FISCAL)?,
            runs,
            YearBasis::Fiscal { year_end_month: 0 },
            &f,
        )?;
    }
    vintages_sheet(wb.add_worksheet().set_name(VINTAGES)?, runs, &f)?;
    if let Some(u) = uncertainty {
        percentiles_sheet(wb.add_worksheet().set_name(PERCENTILES)?, u, &f)?;
        if let Some(t) = &u.tornado {
            tornado_sheet(wb.add_worksheet().set_name(TORNADO)?, t, &f)?;
        }
    }
    if let Some(e) = evidence {
        crate::evidence::sheets(&mut wb, e)?;
    }
    summary_sheet(wb.worksheet_from_name(SUMMARY)?, runs, &layout, &f)?;
    wb.save_to_buffer()
}

fn quarterly_columns(runs: &[Run<'_>]) -> Vec<QCol> {
    let mut cols: Vec<QCol> = Vec::new();
    let Some(first) = runs.first() else {
        return cols;
    };
    for (k, c) in first.projection.q.columns().iter().enumerate() {
        cols.push(QCol {
            name: c.name.to_string(),
            unit: c.unit,
            values: runs
                .iter()
                .map(|r| {
                    r.projection
                        .q
                        .columns()
                        .get(k)
                        .map(|c| c.values.iter().map(|v| Some(*v)).collect())
                        .unwrap_or_default()
                })
                .collect(),
        });
    }
    for (k, (name, unit, _)) in optional_series(first.projection).iter().enumerate() {
        cols.push(QCol {
            name: (*name).to_string(),
            unit,
            values: runs
                .iter()
                .map(|r| optional_series(r.projection)[k].2.to_vec())
                .collect(),
        });
    }
    let mut tiers: Vec<&str> = Vec::new();
    for r in runs {
        for t in &r.projection.tiers {
            if !tiers.contains(&t.name.as_str()) {
                tiers.push(&t.name);
            }
        }
    }
    for name in tiers {
        cols.push(QCol {
            name: format!("tier.{name}.revenue"),
            unit: "USD",
            values: runs
                .iter()
                .map(|r| {
                    r.projection
                        .tiers
                        .iter()
                        .find(|t| t.name == name)
                        .map(|t| t.revenue.iter().map(|v| Some(*v)).collect())
                        .unwrap_or_default()
                })
                .collect(),
        });
    }
    cols
}

fn quarterly_sheet(ws: &mut Worksheet, runs: &[Run<'_>], f: &Formats) -> Result<Layout, XlsxError> {
    let cols = quarterly_columns(runs);
    let mut headers: Vec<String> = QUARTERLY_KEYS.iter().map(ToString::to_string).collect();
    headers.extend(
        cols.iter()
            .map(|c| format!("{}{}", c.name, unit_format(c.unit).0)),
    );
    let headers = unique(headers);
    let formats: Vec<Format> = cols.iter().map(|c| num_format(c.unit)).collect();
    let mut row: RowNum = 1;
    let mut blocks = Vec::with_capacity(runs.len());
    for (i, run) in runs.iter().enumerate() {
        let p = run.projection;
        let n = p.quarters.len();
        if n == 0 {
            blocks.push(None);
            continue;
        }
        let first = row;
        for (t, q) in p.quarters.iter().enumerate() {
            ws.write_string(row, 0, run.label)?;
            ws.write_string(row, 1, q.to_string())?;
            ws.write_datetime_with_format(row, 2, quarter_date(*q)?, &f.date)?;
            for (k, c) in cols.iter().enumerate() {
                let v = c.values.get(i).and_then(|v| v.get(t)).copied().flatten();
                let col = ColNum::try_from(k + QUARTERLY_KEYS.len()).unwrap_or(ColNum::MAX);
                write_opt(ws, row, col, v, &formats[k])?;
            }
            row += 1;
        }
        blocks.push(Some((first, row - 1)));
    }
    add_table(ws, "QuarterlyTable", 0, &headers, row - 1)?;
    ws.set_row_height(0, 45)?;
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 9)?;
    ws.set_column_width(2, 11)?;
    for k in 0..cols.len() {
        let col = ColNum::try_from(k + QUARTERLY_KEYS.len()).unwrap_or(ColNum::MAX);
        ws.set_column_width(col, 14)?;
    }
    ws.set_freeze_panes(1, 3)?;
    Ok(Layout {
        blocks,
        columns: cols
            .iter()
            .enumerate()
            .map(|(k, c)| {
                (
                    c.name.clone(),
                    ColNum::try_from(k + QUARTERLY_KEYS.len()).unwrap_or(ColNum::MAX),
                )
            })
            .collect(),
    })
}

fn annual_sheet(
    ws: &mut Worksheet,
    runs: &[Run<'_>],
    basis: YearBasis,
    f: &Formats,
) -> Result<(), XlsxError> {
    let fiscal = matches!(basis, YearBasis::Fiscal { .. });
    let tables: Vec<(&Run<'_>, Annual)> = runs
        .iter()
        .filter_map(|r| {
            let all = rollups_for(r.settings, r.projection);
            let a = if fiscal {
                all.into_iter().nth(1)
            } else {
                all.into_iter().next()
            };
            a.map(|a| (r, a))
        })
        .collect();
    let Some((_, first)) = tables.first() else {
        return Ok(());
    };
    let series: Vec<(&'static str, &'static str)> =
        first.series.iter().map(|s| (s.name, s.unit)).collect();
    let mut headers: Vec<String> = vec![
        "Scenario".into(),
        if fiscal { "Fiscal year" } else { "Year" }.into(),
        "Quarters".into(),
    ];
    headers.extend(
        series
            .iter()
            .map(|(n, u)| format!("{n}{}", unit_format(u).0)),
    );
    let headers = unique(headers);
    let formats: Vec<Format> = series.iter().map(|(_, u)| num_format(u)).collect();
    let mut row: RowNum = 1;
    for (run, a) in &tables {
        for (y, year) in a.years.iter().enumerate() {
            ws.write_string(row, 0, run.label)?;
            ws.write_string(row, 1, &year.label)?;
            ws.write_number(row, 2, year.quarters.len() as f64)?;
            for (k, (name, _)) in series.iter().enumerate() {
                let v = a.get(name).and_then(|s| s.values.get(y)).copied().flatten();
                let col = ColNum::try_from(k + 3).unwrap_or(ColNum::MAX);
                write_opt(ws, row, col, v, &formats[k])?;
            }
            row += 1;
        }
    }
    let name = if fiscal {
        "AnnualFiscalTable"
    } else {
        "AnnualTable"
    };
    add_table(ws, name, 0, &headers, row - 1)?;
    ws.set_row_height(0, 45)?;
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 10)?;
    for k in 0..series.len() {
        ws.set_column_width(ColNum::try_from(k + 3).unwrap_or(ColNum::MAX), 14)?;
    }
    ws.set_freeze_panes(1, 2)?;
    let _ = &f.bold;
    Ok(())
}

fn vintages_sheet(ws: &mut Worksheet, runs: &[Run<'_>], _f: &Formats) -> Result<(), XlsxError> {
    let headers: Vec<String> = [
        "Scenario",
        "Capex year",
        "Accelerator capex ($M)",
        "Payback quarter",
        "Payback (years from mid-year of spend)",
        "Surplus at horizon ($M)",
        "Price / levelised cost (x)",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    let money = num_format("USD");
    let years = num_format("years");
    let x = num_format("x");
    let mut row: RowNum = 1;
    for run in runs {
        for v in &run.projection.vintages {
            ws.write_string(row, 0, run.label)?;
            ws.write_number(row, 1, f64::from(v.year))?;
            write_opt(ws, row, 2, Some(v.capex), &money)?;
            match v.payback {
                Some(q) => ws.write_string(row, 3, q.to_string())?,
                None => ws.write_string(row, 3, "not within horizon")?,
            };
            write_opt(ws, row, 4, v.payback_years, &years)?;
            write_opt(ws, row, 5, Some(v.surplus_at_horizon), &money)?;
            write_opt(ws, row, 6, v.price_to_cost, &x)?;
            row += 1;
        }
    }
    add_table(ws, "VintagesTable", 0, &headers, row - 1)?;
    ws.set_row_height(0, 45)?;
    for (c, w) in [14.0, 10.0, 16.0, 18.0, 18.0, 16.0, 16.0]
        .iter()
        .enumerate()
    {
        ws.set_column_width(ColNum::try_from(c).unwrap_or(ColNum::MAX), *w)?;
    }
    Ok(())
}

fn assumptions_sheet(
    ws: &mut Worksheet,
    runs: &[Run<'_>],
    per_run: &[Vec<Assumption>],
    f: &Formats,
) -> Result<(), XlsxError> {
    let rows = merged(per_run);
    let mut headers: Vec<String> = vec!["Path".into(), "Unit".into()];
    let n_runs = per_run.len();
    for i in 0..n_runs {
        let label = runs
            .get(i)
            .map_or_else(|| format!("run {}", i + 1), |r| r.label.to_string());
        headers.push(format!("Value: {label}"));
    }
    for h in [
        "Provenance",
        "As of",
        "Source",
        "Note",
        "Set in",
        "Set by overlay",
        "Meaning",
    ] {
        headers.push(h.into());
    }
    let headers = unique(headers);
    let base = 2 + n_runs;
    let col = |k: usize| ColNum::try_from(k).unwrap_or(ColNum::MAX);
    let mut row: RowNum = 1;
    for (a, each) in &rows {
        ws.write_string(row, 0, &a.path)?;
        ws.write_string(row, 1, &a.unit)?;
        let fmt = Format::new().set_num_format(match a.unit.as_str() {
            "ratio" | "ratio/year" => "0.0##%",
            _ => "#,##0.######",
        });
        for (i, v) in each.iter().enumerate() {
            match v.map(|v| &v.value) {
                Some(AssumptionValue::Number(x)) => write_opt(ws, row, col(2 + i), Some(*x), &fmt)?,
                Some(AssumptionValue::Text(s)) => {
                    ws.write_string(row, col(2 + i), s)?;
                }
                Some(AssumptionValue::Bool(b)) => {
                    ws.write_boolean(row, col(2 + i), *b)?;
                }
                None => {}
            }
        }
        let text = |ws: &mut Worksheet, k: usize, s: Option<&str>| -> Result<(), XlsxError> {
            if let Some(s) = s.filter(|s| !s.is_empty()) {
                ws.write_string(row, col(base + k), s)?;
            }
            Ok(())
        };
        text(ws, 0, a.kind.as_deref())?;
        text(ws, 1, a.as_of.as_deref())?;
        text(ws, 2, a.source.as_deref())?;
        text(ws, 3, a.note.as_deref())?;
        text(ws, 4, Some(&a.origin))?;
        let overlays: Vec<String> = each
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let o = (*v)?.overlay.as_ref()?;
                let label = runs.get(i).map_or("", |r| r.label);
                Some(format!("{label}: {o}"))
            })
            .collect();
        text(ws, 5, Some(&overlays.join("; ")))?;
        text(ws, 6, Some(&a.doc))?;
        row += 1;
    }
    add_table(ws, "AssumptionsTable", 0, &headers, row - 1)?;
    ws.set_column_width(0, 42)?;
    ws.set_column_width(1, 12)?;
    for i in 0..n_runs {
        ws.set_column_width(col(2 + i), 16)?;
    }
    for (k, w) in [12.0, 11.0, 40.0, 40.0, 22.0, 18.0, 60.0]
        .iter()
        .enumerate()
    {
        ws.set_column_width(col(base + k), *w)?;
    }
    let _ = &f.wrap;
    Ok(())
}

fn percentiles_sheet(ws: &mut Worksheet, u: &Uncertainty, f: &Formats) -> Result<(), XlsxError> {
    let p = &u.fcf_cumulative;
    let mut headers: Vec<String> = vec!["Quarter".into(), "Quarter end".into()];
    let levels: Vec<(f64, &Vec<f64>)> = p
        .levels
        .iter()
        .zip(&p.values)
        .filter(|(_, v)| v.len() == p.quarters.len())
        .map(|(l, v)| (*l, v))
        .collect();
    for (l, _) in &levels {
        headers.push(format!(
            "P{} cumulative FCF ($M)",
            crate::fmt::number(l * 100.0, 0)
        ));
    }
    let det = p
        .deterministic
        .as_ref()
        .filter(|d| d.len() == p.quarters.len());
    if det.is_some() {
        headers.push("Deterministic cumulative FCF ($M)".into());
    }
    headers.push("Probability of payback by quarter end (%)".into());
    let headers = unique(headers);
    let money = num_format("USD");
    let pct = num_format("ratio");
    let col = |k: usize| ColNum::try_from(k).unwrap_or(ColNum::MAX);
    let mut row: RowNum = 1;
    for (t, q) in p.quarters.iter().enumerate() {
        ws.write_string(row, 0, q.to_string())?;
        ws.write_datetime_with_format(row, 1, quarter_date(*q)?, &f.date)?;
        let mut k = 2;
        for (_, v) in &levels {
            write_opt(ws, row, col(k), v.get(t).copied(), &money)?;
            k += 1;
        }
        if let Some(d) = det {
            write_opt(ws, row, col(k), d.get(t).copied(), &money)?;
            k += 1;
        }
        let prob = u
            .payback
            .quarters
            .iter()
            .position(|x| x == q)
            .and_then(|i| u.payback.cumulative.get(i))
            .copied();
        write_opt(ws, row, col(k), prob, &pct)?;
        row += 1;
    }
    add_table(ws, "PercentilesTable", 0, &headers, row - 1)?;
    ws.set_row_height(0, 45)?;
    ws.set_column_width(0, 9)?;
    ws.set_column_width(1, 11)?;
    for k in 2..headers.len() {
        ws.set_column_width(col(k), 16)?;
    }
    Ok(())
}

fn tornado_sheet(
    ws: &mut Worksheet,
    t: &crate::charts::uncertainty::Tornado,
    _f: &Formats,
) -> Result<(), XlsxError> {
    let headers: Vec<String> = [
        "Input",
        "Low value",
        "High value",
        "NPV at low ($M)",
        "NPV at high ($M)",
        "Swing ($M)",
        "Base NPV ($M)",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    let money = num_format("USD");
    let mut row: RowNum = 1;
    for r in t.sorted() {
        ws.write_string(row, 0, &r.label)?;
        ws.write_string(row, 1, &r.low)?;
        ws.write_string(row, 2, &r.high)?;
        write_opt(ws, row, 3, Some(r.npv_low), &money)?;
        write_opt(ws, row, 4, Some(r.npv_high), &money)?;
        write_opt(ws, row, 5, Some(r.swing()), &money)?;
        write_opt(ws, row, 6, Some(t.base_npv), &money)?;
        row += 1;
    }
    add_table(ws, "TornadoTable", 0, &headers, row - 1)?;
    ws.set_column_width(0, 40)?;
    for k in 1..7 {
        ws.set_column_width(k, 16)?;
    }
    Ok(())
}

/// The engine's quarterly IRR root from its annual one: `(1 + r)^(1/4) - 1`.
fn quarterly_root(annual: f64) -> f64 {
    libm::pow(1.0 + annual, 0.25) - 1.0
}

fn payback_words(p: &Projection) -> String {
    match (&p.summary.payback, p.summary.payback_quarter) {
        (Payback::Reached { .. }, Some(q)) => q.to_string(),
        (Payback::NeverNegative, _) => "never negative".into(),
        (Payback::NotWithinHorizon { .. }, _) => "not within horizon".into(),
        _ => crate::fmt::NONE.into(),
    }
}

/// One Summary row: label, unit, how it is computed, and per run a cell.
enum Cell {
    Num(Option<f64>),
    Text(String),
    /// A formula with its cached result.
    Formula(String, f64),
}

fn summary_sheet(
    ws: &mut Worksheet,
    runs: &[Run<'_>],
    layout: &Layout,
    f: &Formats,
) -> Result<(), XlsxError> {
    let name = runs
        .first()
        .map_or_else(String::new, |r| r.settings.name.clone());
    ws.write_string_with_format(0, 0, format!("payback — {name}"), &f.title)?;
    ws.write_string_with_format(
        1,
        0,
        "Money cells hold US dollars and display in millions ($M). Totals, NPV, IRR and peak \
         funding are live formulas over the Quarterly sheet; change a run's discount rate to see \
         its NPV move.",
        &f.note,
    )?;
    const HEADER_ROW: RowNum = 3;
    let mut headers: Vec<String> = vec!["Metric".into(), "Unit".into()];
    headers.extend(runs.iter().map(|r| r.label.to_string()));
    headers.push("How it is computed".into());
    let headers = unique(headers);
    let col = |k: usize| ColNum::try_from(k).unwrap_or(ColNum::MAX);
    let note_col = col(2 + runs.len());
    // The discount-rate row comes first among the figures so the NPV formulas can refer to it.
    let rate_row: RowNum = HEADER_ROW + 4;
    let mut rows: Vec<(&str, &str, String, Vec<Cell>)> = Vec::new();
    let per = |f: &dyn Fn(usize, &Run<'_>) -> Cell| -> Vec<Cell> {
        runs.iter().enumerate().map(|(i, r)| f(i, r)).collect()
    };
    let sum_cell = |i: usize, series: &str, engine: f64| -> Cell {
        match layout.range(series, i) {
            Some(range) => Cell::Formula(format!("=SUM({range})"), engine),
            None => Cell::Num(Some(engine)),
        }
    };
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    rows.push((
        "Payback (programme, headline)",
        "quarter",
        "First quarter whose cumulative FCF is back at zero, no terminal value".into(),
        per(&|_, r| Cell::Text(payback_words(r.projection))),
    ));
    rows.push((
        "Payback, years from start",
        "years",
        "Interpolated inside the quarter".into(),
        per(&|_, r| {
            Cell::Num(match r.projection.summary.payback {
                Payback::Reached { years, .. } => Some(years),
                _ => None,
            })
        }),
    ));
    rows.push((
        "Payback with runoff",
        "quarter",
        "With the terminal runoff's cash flows appended after the horizon".into(),
        per(&|_, r| {
            Cell::Text(
                r.projection
                    .summary
                    .payback_runoff_quarter
                    .map_or_else(|| "not reached".into(), |q| q.to_string()),
            )
        }),
    ));
    rows.push((
        "Discount rate (annual)",
        "ratio",
        "Input: the NPV formulas below use this cell".into(),
        per(&|_, r| Cell::Num(Some(r.settings.discount_rate))),
    ));
    rows.push((
        "Revenue, total",
        "USD",
        "=SUM of revenue on the Quarterly sheet".into(),
        per(&|i, r| sum_cell(i, "revenue", r.projection.summary.revenue_mix.total)),
    ));
    rows.push((
        "Operating cash flow, total",
        "USD",
        "=SUM of ocf".into(),
        per(&|i, r| sum_cell(i, "ocf", sum(&r.projection.q.ocf))),
    ));
    rows.push((
        "Capex, total",
        "USD",
        "=SUM of capex".into(),
        per(&|i, r| sum_cell(i, "capex", r.projection.summary.capex_total)),
    ));
    rows.push((
        "Free cash flow, total",
        "USD",
        "=SUM of fcf".into(),
        per(&|i, r| sum_cell(i, "fcf", sum(&r.projection.q.fcf))),
    ));
    rows.push((
        "NPV of FCF",
        "USD",
        "Flows at quarter ends discounted to the start of the first quarter: SUMPRODUCT(fcf/(1+r)^(t/4)), t = 1, 2, ...".into(),
        per(&|i, r| {
            let rate = format!("{}{}", column_number_to_name(col(2 + i)), rate_row + 1);
            match (layout.range("fcf", i), layout.first("fcf", i)) {
                (Some(range), Some(first)) => Cell::Formula(
                    format!(
                        "=SUMPRODUCT({range}/(1+{rate})^((ROW({range})-ROW({first})+1)/4))"
                    ),
                    r.projection.summary.npv,
                ),
                _ => Cell::Num(Some(r.projection.summary.npv)),
            }
        }),
    ));
    rows.push((
        "IRR of FCF (annual)",
        "ratio",
        "Excel's quarterly IRR annualised: (1+IRR(fcf, guess))^4-1, guess = the engine's quarterly root".into(),
        per(&|i, r| {
            let irr = &r.projection.summary.irr;
            match (irr.primary, layout.range("fcf", i)) {
                (Some(annual), Some(range)) => Cell::Formula(
                    format!(
                        "=(1+IRR({range},{}))^4-1",
                        result_text(quarterly_root(annual))
                    ),
                    annual,
                ),
                (None, _) => Cell::Text("no IRR: the flows never change sign".into()),
                (Some(annual), None) => Cell::Num(Some(annual)),
            }
        }),
    ));
    rows.push((
        "Peak funding need",
        "USD",
        "=MAX(0,-MIN(fcf_cumulative)): the deepest point of the J-curve".into(),
        per(&|i, r| {
            let engine = r.projection.summary.peak_funding.value.abs();
            match layout.range("fcf_cumulative", i) {
                Some(range) => Cell::Formula(format!("=MAX(0,-MIN({range}))"), engine),
                None => Cell::Num(Some(engine)),
            }
        }),
    ));
    rows.push((
        "Peak funding quarter",
        "quarter",
        "Quarter of the lowest cumulative FCF".into(),
        per(&|_, r| Cell::Text(r.projection.summary.peak_funding.quarter.to_string())),
    ));
    rows.push((
        "Cash-flow positive from",
        "quarter",
        "First quarter from which quarterly FCF stays >= 0".into(),
        per(&|_, r| {
            Cell::Text(
                r.projection
                    .summary
                    .cash_flow_positive
                    .map_or_else(|| "not within horizon".into(), |q| q.to_string()),
            )
        }),
    ));
    rows.push((
        "Terminal value",
        "USD",
        "By the scenario's terminal mode, at the horizon (engine value)".into(),
        per(&|_, r| Cell::Num(Some(r.projection.summary.terminal_value))),
    ));
    rows.push((
        "NPV with terminal value",
        "USD",
        "Engine value".into(),
        per(&|_, r| Cell::Num(Some(r.projection.summary.npv_with_terminal))),
    ));
    rows.push((
        "IRR with terminal value (annual)",
        "ratio",
        "Engine value".into(),
        per(&|_, r| Cell::Num(r.projection.summary.irr_with_terminal.primary)),
    ));
    rows.push((
        "MIRR (annual)",
        "ratio",
        "Engine value; finance and reinvestment at the discount rate".into(),
        per(&|_, r| Cell::Num(r.projection.summary.mirr)),
    ));
    rows.push((
        "MOIC",
        "x",
        "(sum OCF + terminal value) / sum capex (engine value)".into(),
        per(&|_, r| Cell::Num(r.projection.summary.moic)),
    ));
    rows.push((
        "Peak RPO",
        "USD",
        "Engine value".into(),
        per(&|_, r| Cell::Num(Some(r.projection.summary.peak_rpo.value))),
    ));
    rows.push((
        "Useful-life gap",
        "USD",
        "Cumulative (book depreciation + impairment) - economic depreciation (engine value)".into(),
        per(&|_, r| Cell::Num(Some(r.projection.summary.useful_life_gap))),
    ));
    for (k, h) in headers.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, col(k), h, &f.header)?;
    }
    for ((label, unit, how, cells), row) in rows.into_iter().zip(HEADER_ROW + 1..) {
        if unit == "ratio" && label.starts_with("Discount") {
            debug_assert_eq!(row, rate_row);
        }
        ws.write_string_with_format(row, 0, label, &f.bold)?;
        ws.write_string(row, 1, unit)?;
        let fmt = num_format(unit);
        for (i, cell) in cells.into_iter().enumerate() {
            let c = col(2 + i);
            match cell {
                Cell::Num(v) => match v {
                    Some(_) => write_opt(ws, row, c, v, &fmt)?,
                    None => {
                        ws.write_string(row, c, crate::fmt::NONE)?;
                    }
                },
                Cell::Text(s) => {
                    ws.write_string(row, c, s)?;
                }
                Cell::Formula(formula, result) => {
                    let formula = Formula::new(formula).set_result(result_text(result));
                    ws.write_formula_with_format(row, c, formula, &fmt)?;
                }
            }
        }
        ws.write_string_with_format(row, note_col, how, &f.note)?;
    }
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 9)?;
    for i in 0..runs.len() {
        ws.set_column_width(col(2 + i), 18)?;
    }
    ws.set_column_width(note_col, 80)?;
    ws.set_freeze_panes(HEADER_ROW + 1, 1)?;
    ws.set_active(true);
    Ok(())
}

/// Read-back helpers for the tests and for anyone checking a workbook: the Summary row labels
/// whose cells are formulas.
pub const FORMULA_ROWS: [&str; 7] = [
    "Revenue, total",
    "Operating cash flow, total",
    "Capex, total",
    "Free cash flow, total",
    "NPV of FCF",
    "IRR of FCF (annual)",
    "Peak funding need",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarter_end_dates() {
        let q = payback_model::Quarter::new(2026, 2).unwrap();
        let d = quarter_date(q).unwrap();
        assert_eq!(
            d.to_excel(),
            ExcelDateTime::from_ymd(2026, 6, 30).unwrap().to_excel()
        );
        assert_eq!(
            unique(vec!["a".into(), "A".into(), "a".into()]),
            ["a", "A (2)", "a (3)"]
        );
        assert!((quarterly_root(0.1) - (libm::pow(1.1, 0.25) - 1.0)).abs() < 1e-15);
    }
}
