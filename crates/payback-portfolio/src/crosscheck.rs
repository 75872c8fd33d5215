//! Top-down cross-checks: the revenue the industry needs, by Sequoia's rule and by a target
//! return on invested capital, set beside the model's projected AI revenue year by year.

/// Sequoia (David Cahn, "AI's $200B / $600B Question"): revenue needed = accelerator spend x 2
/// (GPUs are half of a data centre's total cost of ownership) x 2 (a 50 % gross margin for the
/// end user). $50bn -> $200bn (2023), $150bn -> $600bn (2024).
pub fn sequoia_revenue_needed(accelerator_spend: f64) -> f64 {
    accelerator_spend * 2.0 * 2.0
}

/// The target-ROIC method (Kupperman): capital `C` depreciated over `L` years earns a margin
/// `m` on revenue. Depreciation `D = C / L`; the revenue whose margin covers depreciation is
/// `D / m`; the revenue whose margin covers depreciation and a return `r` on the capital is
/// `(D + r x C) / m`. $400bn, 10 years, 25 %, 20 % -> $40bn, $160bn, $480bn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoicCheck {
    /// Capital invested, USD.
    pub capital: f64,
    /// `C / L`, USD a year.
    pub depreciation: f64,
    /// `D / m`: revenue whose margin just covers depreciation, USD a year.
    pub revenue_to_cover_depreciation: f64,
    /// `(D + r x C) / m`: revenue for the target return, USD a year.
    pub revenue_for_target: f64,
}

/// The target-ROIC arithmetic; `None` when the life or the margin is not positive or an input
/// is not finite.
pub fn target_roic(capital: f64, life_years: f64, margin: f64, target: f64) -> Option<RoicCheck> {
    let finite = [capital, life_years, margin, target]
        .iter()
        .all(|v| v.is_finite());
    if !finite || life_years <= 0.0 || margin <= 0.0 {
        return None;
    }
    let depreciation = capital / life_years;
    Some(RoicCheck {
        capital,
        depreciation,
        revenue_to_cover_depreciation: depreciation / margin,
        revenue_for_target: (depreciation + target * capital) / margin,
    })
}

/// One year of the cross-check for a portfolio.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossCheckYear {
    /// Calendar year.
    pub year: i32,
    /// AI capex of the portfolio in the year (sum of the companies' modelled capex), USD.
    pub ai_capex: f64,
    /// Accelerator (GPU) spend: `gpu_share x ai_capex`, USD.
    pub accelerator_spend: f64,
    /// Sequoia's revenue needed for that year's spend, USD.
    pub sequoia_needed: f64,
    /// The target-ROIC check on the AI capital invested over the trailing `roic_life_years`
    /// (within the horizon: history before the start is not counted).
    pub roic: Option<RoicCheck>,
    /// The model's projected AI revenue in the year (all companies), USD.
    pub model_revenue: f64,
    /// The same less inter-company revenue (what end customers pay), USD.
    pub model_end_customer_revenue: f64,
}
