//! The signals an observation can measure, their units, the seed's stages they belong to and
//! the projection series each is compared with.
//!
//! The stage map is the seed's timing table (docs/evidence.md, "Stages"):
//!
//! | stage | window | signals |
//! |---|---|---|
//! | contracts & backlog | 2026 | rpo, ai_run_rate, capex, utilization, revenue, cloud_revenue, ppe_gross, ppe_net |
//! | premium pricing & lab commitments | 2026H2–2027 | lab_revenue, lab_cash_burn, cloud_commitments, contract_repricing, model_spending |
//! | enterprise inference in FCF | 2027+ | enterprise_renewal, gross_margin, operating_margin, cloud_margin, ocf, fcf, depreciation, cost_per_mtok |

use std::fmt;

use serde::Serialize;

/// What kind of quantity a signal is; decides how it is compared with a projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nature {
    /// A balance at a date (RPO, PP&E): compared with the projection's level at the quarter
    /// containing the date. USD, must be positive to compare.
    Stock,
    /// A flow over a period (capex, revenue): compared with the projection's sum over the
    /// quarters the period covers. USD, positive.
    Flow,
    /// A flow that may be negative (OCF, FCF). USD.
    SignedFlow,
    /// An annualised level at a date (AI run-rate), USD/year.
    RunRate,
    /// A ratio (utilization, margins): compared as a difference, never scaled.
    Ratio,
    /// A unit price (cost per million tokens), compared as a log ratio.
    Price,
}

/// The seed's three stages of evidence, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// 2026: long-term contracts, reserved capacity, AI cloud backlog.
    Contracts,
    /// 2026H2–2027: frontier-lab funding, cloud commitments, contract repricing.
    Pricing,
    /// 2027+: enterprise agents and inference volume reach margins and FCF.
    Enterprise,
}

impl Stage {
    /// All stages in order.
    pub const ALL: [Stage; 3] = [Stage::Contracts, Stage::Pricing, Stage::Enterprise];

    /// Short title.
    pub fn title(self) -> &'static str {
        match self {
            Stage::Contracts => "Contracts & backlog",
            Stage::Pricing => "Premium pricing & lab commitments",
            Stage::Enterprise => "Enterprise inference in FCF",
        }
    }

    /// The seed's window for the stage.
    pub fn window(self) -> &'static str {
        match self {
            Stage::Contracts => "2026",
            Stage::Pricing => "2026H2-2027",
            Stage::Enterprise => "2027+",
        }
    }
}

/// The projection figure a signal is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelSeries {
    /// A series of `Quarterly` by name.
    Quarterly(&'static str),
    /// Net book value: `nbv_accelerators + nbv_facilities`.
    NetBookValue,
    /// The named contracts' RPO, summed.
    ContractRpo,
    /// `gross_margin` (optional series).
    GrossMargin,
    /// `ebit / revenue` (absent without revenue).
    OperatingMargin,
    /// `inference_cost_per_mtok` (optional series).
    CostPerMtok,
    /// Year-on-year change of `p_ref` (a repricing rate).
    PriceChangeYoy,
}

macro_rules! signals {
    ($( $(#[doc = $doc:literal])* $var:ident = $name:literal, $nature:ident, $stage:ident, $model:expr; )*) => {
        /// A named signal.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Signal {
            $( $(#[doc = $doc])* $var, )*
        }

        impl Signal {
            /// Every signal, in stage order.
            pub const ALL: &'static [Signal] = &[$( Signal::$var ),*];

            /// The name used in CSV files, the database and the output.
            pub fn name(self) -> &'static str {
                match self { $( Signal::$var => $name, )* }
            }

            /// What kind of quantity it is.
            pub fn nature(self) -> Nature {
                match self { $( Signal::$var => Nature::$nature, )* }
            }

            /// The seed stage it is evidence for.
            pub fn stage(self) -> Stage {
                match self { $( Signal::$var => Stage::$stage, )* }
            }

            /// The projection figure it is compared with, if the model has one.
            pub fn model(self) -> Option<ModelSeries> {
                match self { $( Signal::$var => $model, )* }
            }
        }
    };
}

use ModelSeries as M;

signals! {
    /// Remaining performance obligations (contracted backlog), USD at a date.
    Rpo = "rpo", Stock, Contracts, Some(M::Quarterly("rpo"));
    /// AI revenue run-rate, USD/year at a date.
    AiRunRate = "ai_run_rate", RunRate, Contracts, Some(M::Quarterly("run_rate"));
    /// Capital expenditure (reported or guided), USD over a period.
    Capex = "capex", Flow, Contracts, Some(M::Quarterly("capex"));
    /// Data-center or accelerator utilization, ratio.
    Utilization = "utilization", Ratio, Contracts, Some(M::Quarterly("utilization"));
    /// Revenue, USD over a period.
    Revenue = "revenue", Flow, Contracts, Some(M::Quarterly("revenue"));
    /// Cloud segment revenue, USD over a period.
    CloudRevenue = "cloud_revenue", Flow, Contracts, Some(M::Quarterly("revenue"));
    /// Gross property, plant and equipment, USD at a date (no model counterpart).
    PpeGross = "ppe_gross", Stock, Contracts, None;
    /// Net property, plant and equipment, USD at a date.
    PpeNet = "ppe_net", Stock, Contracts, Some(M::NetBookValue);
    /// Frontier-lab revenue, USD over a period (context: not modelled).
    LabRevenue = "lab_revenue", Flow, Pricing, None;
    /// Frontier-lab cash burn, USD over a period (context: not modelled).
    LabCashBurn = "lab_cash_burn", Flow, Pricing, None;
    /// Cloud commitments by frontier labs (named contracts' RPO), USD at a date.
    CloudCommitments = "cloud_commitments", Stock, Pricing, Some(M::ContractRpo);
    /// Contract repricing: year-on-year change of the compute price, ratio.
    ContractRepricing = "contract_repricing", Ratio, Pricing, Some(M::PriceChangeYoy);
    /// New model spending by labs, USD over a period (context: not modelled).
    ModelSpending = "model_spending", Flow, Pricing, None;
    /// Enterprise renewal rate, ratio (context: not modelled).
    EnterpriseRenewal = "enterprise_renewal", Ratio, Enterprise, None;
    /// Gross margin, ratio.
    GrossMargin = "gross_margin", Ratio, Enterprise, Some(M::GrossMargin);
    /// Operating margin, ratio.
    OperatingMargin = "operating_margin", Ratio, Enterprise, Some(M::OperatingMargin);
    /// Cloud segment operating margin, ratio.
    CloudMargin = "cloud_margin", Ratio, Enterprise, Some(M::OperatingMargin);
    /// Operating cash flow, USD over a period.
    Ocf = "ocf", SignedFlow, Enterprise, Some(M::Quarterly("ocf"));
    /// Free cash flow (OCF - capex), USD over a period.
    Fcf = "fcf", SignedFlow, Enterprise, Some(M::Quarterly("fcf"));
    /// Depreciation and amortisation, USD over a period.
    Depreciation = "depreciation", Flow, Enterprise, Some(M::Quarterly("depreciation"));
    /// Cost per million tokens, USD/Mtok.
    CostPerMtok = "cost_per_mtok", Price, Enterprise, Some(M::CostPerMtok);
}

impl Signal {
    /// The signal called `name` (case-insensitive).
    pub fn parse(name: &str) -> Option<Signal> {
        let n = name.trim();
        Signal::ALL
            .iter()
            .copied()
            .find(|s| s.name().eq_ignore_ascii_case(n))
    }

    /// The unit its values are in.
    pub fn unit(self) -> &'static str {
        match self.nature() {
            Nature::Stock | Nature::Flow | Nature::SignedFlow => "USD",
            Nature::RunRate => "USD/year",
            Nature::Ratio => "ratio",
            Nature::Price => "USD/Mtok",
        }
    }

    /// Whether its values must be positive to be compared in logs.
    pub fn positive(self) -> bool {
        matches!(
            self.nature(),
            Nature::Stock | Nature::Flow | Nature::RunRate | Nature::Price
        )
    }

    /// Whether values are measured at a date (an instant) rather than over a period.
    pub fn instant(self) -> bool {
        matches!(self.nature(), Nature::Stock)
    }

    /// Whether values need a period (start and end).
    pub fn needs_period(self) -> bool {
        matches!(self.nature(), Nature::Flow | Nature::SignedFlow)
    }

    /// Names of every signal, comma-separated (for error messages).
    pub fn names() -> String {
        Signal::ALL
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Signal {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// How a value was stated; sets the spread of its error model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Reported in a filing or audited statement.
    Reported,
    /// Company guidance (a forecast by the company itself).
    Guidance,
    /// A third party's estimate.
    Estimate,
}

impl Kind {
    /// Name as written in files.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Reported => "reported",
            Kind::Guidance => "guidance",
            Kind::Estimate => "estimate",
        }
    }

    /// Parse `reported`, `guidance`, `estimate` (case-insensitive).
    pub fn parse(s: &str) -> Option<Kind> {
        [Kind::Reported, Kind::Guidance, Kind::Estimate]
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a value covers: the whole company (a filing) or the AI business the scenario models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The whole company: compared after scaling by the stated AI share, or as growth rates.
    Company,
    /// The AI business alone: compared as it is.
    Ai,
}

impl Scope {
    /// Name as written in files.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Company => "company",
            Scope::Ai => "ai",
        }
    }

    /// Parse `company` or `ai`.
    pub fn parse(s: &str) -> Option<Scope> {
        [Scope::Company, Scope::Ai]
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_units() {
        for s in Signal::ALL {
            assert_eq!(Signal::parse(s.name()), Some(*s));
        }
        assert_eq!(Signal::parse("RPO"), Some(Signal::Rpo));
        assert_eq!(Signal::Fcf.unit(), "USD");
        assert_eq!(Signal::AiRunRate.unit(), "USD/year");
        assert!(!Signal::Fcf.positive());
        assert_eq!(Signal::Rpo.stage(), Stage::Contracts);
        assert_eq!(Signal::CostPerMtok.stage(), Stage::Enterprise);
    }
}
