//! Whole-engine tests on scenarios built in code.
mod common;

use payback_model::engine::{Workspace, project_outcome};

/// A Monte Carlo path's projection (`project_outcome`) leaves the shells' book values alone
/// while no shell is in its last depreciation quarter and brings them up to date at the
/// horizon. With facility lives shorter than the run, shells reach that quarter mid-run and
/// the lean step falls back to the full one: every figure must keep the full projection's
/// bits, also when the same workspace served a different scenario before.
#[test]
fn lean_projection_equals_full_whatever_the_facility_life() {
    let mut ws = Workspace::default();
    for life in [30.0, 1.0, 2.25, 0.25, 6.0, 30.0] {
        let mut s = common::representative();
        s.facilities.life_years = life;
        let full = payback_model::project(&s);
        let lean = project_outcome(&s, &mut ws);
        let q = ws.quarterly();
        assert_eq!(
            lean.npv.to_bits(),
            full.summary.npv.to_bits(),
            "life {life}"
        );
        assert_eq!(lean.payback, full.summary.payback, "life {life}");
        assert_eq!(q.fcf, full.q.fcf, "life {life}");
        assert_eq!(q.nbv_facilities.last(), full.q.nbv_facilities.last());
        // The shells bought in the last `life` years still carry book value (none with a
        // one-quarter life); a shell life of 30 years keeps most of the cost on the books.
        let h = full.q.nbv_facilities.len() - 1;
        let cost: f64 = full.q.capex_facilities.iter().sum();
        let nbv = full.q.nbv_facilities[h];
        assert!(nbv < cost, "life {life}: nbv {nbv} of {cost}");
        assert_eq!(nbv > 0.0, life > 0.25, "life {life}: nbv {nbv}");
        if life >= 30.0 {
            assert!(nbv > 0.5 * cost, "life {life}: nbv {nbv} of {cost}");
        }
    }
}
