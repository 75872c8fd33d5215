//! The physical build-out: shells (facility megawatts), accelerator cohorts, the power queue,
//! book depreciation, impairment and salvage (docs/model/capex.md).
//!
//! A *cohort* is one purchase; when it enters service it becomes one or more *lots* (a cohort
//! may enter partly when megawatts are short), each with its own in-service quarter, so
//! depreciation and retirement follow the hardware that actually runs.

use crate::HOURS;
use crate::scenario::Scenario;

/// One purchase of accelerators.
#[derive(Debug, Clone)]
pub struct Cohort {
    /// Generation index.
    pub generation: usize,
    /// USD per accelerator.
    pub unit_cost: f64,
    /// Simulation index of the purchase.
    pub bought: usize,
    /// Simulation index from which it may enter service.
    pub ready: usize,
    /// Accelerators bought.
    pub count: f64,
    /// Accelerators not yet in service.
    pub waiting: f64,
    /// Calendar year of the purchase (the vintage).
    pub year: i32,
    /// Reference price (before markup) when bought.
    pub p_ref_at_spend: f64,
}

/// One purchase of accelerators, as the capex step asks for it.
#[derive(Debug, Clone, Copy)]
pub struct Purchase {
    /// Generation index.
    pub generation: usize,
    /// USD spent.
    pub amount: f64,
    /// Quarters until ready.
    pub lead: u32,
    /// Calendar year of the spend (the vintage).
    pub year: i32,
    /// Reference price at spend.
    pub p_ref: f64,
}

/// Accelerators of one cohort that entered service in the same quarter.
#[derive(Debug, Clone)]
pub struct Lot {
    /// Cohort index.
    pub cohort: usize,
    /// Generation index.
    pub generation: usize,
    /// Accelerators.
    pub count: f64,
    /// Gross cost, USD.
    pub cost: f64,
    /// Salvage value received at retirement, USD.
    pub salvage: f64,
    /// First quarter in service (simulation index).
    pub in_service: usize,
    /// Last quarter in service (simulation index): in_service + economic life - 1.
    pub last: usize,
    /// Last quarter with book depreciation.
    pub dep_last: usize,
    /// Book depreciation per quarter.
    pub dep_q: f64,
    /// Net book value.
    pub nbv: f64,
    /// Still in service.
    pub active: bool,
    /// Megawatts occupied.
    pub mw: f64,
    /// Reference-hours per quarter: count x perf x HOURS x availability.
    pub capacity: f64,
}

/// Shell megawatts bought together.
#[derive(Debug, Clone)]
pub struct ShellBatch {
    /// Megawatts.
    pub mw: f64,
    /// Gross cost, USD.
    pub cost: f64,
    /// Simulation index when in service.
    pub arrive: usize,
    /// Book depreciation per quarter.
    pub dep_q: f64,
    /// Last quarter with depreciation.
    pub dep_last: usize,
    /// Net book value.
    pub nbv: f64,
}

/// The fleet's state between quarters.
#[derive(Debug, Clone, Default)]
pub struct Fleet {
    /// All purchases.
    pub cohorts: Vec<Cohort>,
    /// Queue order: cohort indices sorted by (ready, purchase order).
    pub queue: Vec<usize>,
    /// The same cohorts (those with accelerators waiting) in purchase order, so that sums
    /// over waiting hardware skip the cohorts long in service and keep their order.
    pub pending: Vec<usize>,
    /// Lots in the order they entered: those in service and some retired (`active` false).
    pub lots: Vec<Lot>,
    /// Retired lots still in `lots`.
    pub retired_in_list: usize,
    /// Megawatts freed by the lots retired at the end of the previous quarter, and that
    /// quarter (for `after_plan` replacements bought with no lead time).
    pub just_retired: (usize, f64),
    /// All shell batches.
    pub shells: Vec<ShellBatch>,
    /// Shell megawatts in service.
    pub mw_in_service: f64,
    /// Shell megawatts on order.
    pub mw_on_order: f64,
    /// Megawatts occupied by accelerators in service.
    pub mw_occupied: f64,
    /// Gross cost of shells in service.
    pub shell_cost_in_service: f64,
    /// First quarter whose depreciation is not yet in the shells' `nbv` (see
    /// [`Fleet::shell_nbv`]): a lean step leaves it behind.
    pub shell_nbv_from: usize,
    /// Shells in service so far, all still depreciating by their full `dep_q`: the lean step's
    /// running sum of their `dep_q`, in batch order, until `shell_dep_ending`.
    pub shell_dep_running: (usize, f64),
    /// Whether a shell in service has reached its last depreciation quarter, where its book
    /// value may clamp the charge; once true it stays true for the run.
    pub shell_dep_ending: bool,
}

/// What one quarter's fleet step produced.
#[derive(Debug, Clone, Copy, Default)]
pub struct FleetQuarter {
    /// Capacity in ref-hours.
    pub capacity: f64,
    /// Capacity of the newest generation in service.
    pub capacity_newest: f64,
    /// Accelerators in service.
    pub accelerators: f64,
    /// Accelerators ready and waiting for megawatts.
    pub queued: f64,
    /// Cost of all hardware bought and not in service (ready or not).
    pub queued_cost: f64,
    /// Book depreciation of accelerators.
    pub dep_acc: f64,
    /// Book depreciation of shells.
    pub dep_shell: f64,
    /// Gross cost of accelerators in service.
    pub acc_cost_in_service: f64,
    /// Cost placed in service this quarter.
    pub placed: f64,
    /// Net book value of accelerators in service (after depreciation, before retirement).
    pub nbv_acc: f64,
    /// Net book value of shells.
    pub nbv_shell: f64,
}

impl Fleet {
    /// Empty, keeping the vectors' allocations.
    pub fn clear(&mut self) {
        let mut old = std::mem::take(self);
        old.cohorts.clear();
        old.queue.clear();
        old.pending.clear();
        old.lots.clear();
        old.shells.clear();
        *self = Fleet {
            cohorts: old.cohorts,
            queue: old.queue,
            pending: old.pending,
            lots: old.lots,
            shells: old.shells,
            ..Fleet::default()
        };
    }

    /// Megawatts needed by hardware bought but not in service.
    pub fn mw_waiting(&self, s: &Scenario) -> f64 {
        self.cohorts
            .iter()
            .map(|c| c.waiting * s.generations[c.generation].power_kw / 1000.0)
            .sum()
    }

    /// Order shells for `amount` USD, in service after the facility lead time.
    pub fn buy_shells(&mut self, s: &Scenario, i: usize, amount: f64) {
        if amount <= 0.0 {
            return;
        }
        let mw = amount / s.facilities.cost_per_mw;
        let life_q = super::pricing::quarters_in(s.facilities.life_years);
        let arrive = i + s.facilities.facility_lead_time as usize;
        // `step` relies on arrivals never decreasing along `shells`.
        debug_assert!(self.shells.last().is_none_or(|b| b.arrive <= arrive));
        self.shells.push(ShellBatch {
            mw,
            cost: amount,
            arrive,
            dep_q: amount / life_q as f64,
            dep_last: arrive + life_q - 1,
            nbv: amount,
        });
        self.mw_on_order += mw;
    }

    /// Buy accelerators, ready after the purchase's lead time.
    pub fn buy_accelerators(&mut self, s: &Scenario, i: usize, buy: Purchase) {
        let Purchase {
            generation: g,
            amount,
            lead,
            year,
            p_ref,
        } = buy;
        if amount <= 0.0 {
            return;
        }
        let unit_cost = s.generations[g].unit_cost;
        let ready = i + lead as usize;
        let idx = self.cohorts.len();
        self.cohorts.push(Cohort {
            generation: g,
            unit_cost,
            bought: i,
            ready,
            count: amount / unit_cost,
            waiting: amount / unit_cost,
            year,
            p_ref_at_spend: p_ref,
        });
        // FIFO by ready quarter, ties in purchase order.
        let pos = self
            .queue
            .iter()
            .position(|&c| self.cohorts[c].ready > ready)
            .unwrap_or(self.queue.len());
        self.queue.insert(pos, idx);
        self.pending.push(idx);
    }

    /// Shells arrive, the queue fills free megawatts, lots depreciate. Retirement happens
    /// later, in [`Fleet::retire`], after the quarter's service.
    ///
    /// A `lean` step (a Monte Carlo path) leaves out what a path does not read: the number of
    /// accelerators and the book values (`accelerators`, `nbv_acc` and `nbv_shell` stay zero;
    /// [`Fleet::shell_nbv`] gives the shells' book value when it is needed). Every other figure
    /// has the same bits as a full step.
    pub fn step(&mut self, s: &Scenario, i: usize, lean: bool) -> FleetQuarter {
        let mut out = FleetQuarter::default();
        // Batches are bought with one lead time and life per run, so the first batch is the
        // first to reach its last depreciation quarter.
        self.shell_dep_ending |= self
            .shells
            .first()
            .is_some_and(|b| b.arrive <= i && i >= b.dep_last);
        if lean && !self.shell_dep_ending {
            self.shell_arrivals_lean(i, &mut out);
        } else {
            self.shell_step(i, &mut out);
        }
        if self.mw_on_order.abs() < 1e-9 {
            self.mw_on_order = 0.0;
        }
        self.fill_queue(s, i, &mut out);
        // The newest generation in service is found in the same pass as its capacity: a lot
        // of a newer generation than any before it restarts the sum, so the sum adds exactly
        // the newest generation's lots, in lot order, from 0.
        let mut newest = None;
        for l in self.lots.iter_mut().filter(|l| l.active) {
            if i <= l.dep_last {
                let d = l.dep_q.min(l.nbv - l.salvage).max(0.0);
                l.nbv -= d;
                out.dep_acc += d;
            }
            out.capacity += l.capacity;
            let launch = s.generations[l.generation].launch;
            if newest.is_none_or(|n| launch > n) {
                newest = Some(launch);
                out.capacity_newest = 0.0;
            }
            if Some(launch) == newest {
                out.capacity_newest += l.capacity;
            }
            out.acc_cost_in_service += l.cost;
            if !lean {
                out.accelerators += l.count;
                out.nbv_acc += l.nbv;
            }
        }
        for &k in &self.pending {
            let c = &self.cohorts[k];
            if c.waiting > 0.0 {
                out.queued_cost += c.waiting * c.unit_cost;
                if c.ready <= i {
                    out.queued += c.waiting;
                }
            }
        }
        out
    }

    /// The shells' quarter in full: arrivals, each batch's depreciation (at most its book
    /// value) and the book value.
    fn shell_step(&mut self, i: usize, out: &mut FleetQuarter) {
        self.catch_up(i);
        for b in &mut self.shells {
            // Batches arrive in the order bought (one lead time per run, see `buy_shells`),
            // so the rest are still on order and add nothing this quarter.
            if b.arrive > i {
                break;
            }
            if b.arrive == i {
                self.mw_in_service += b.mw;
                self.mw_on_order -= b.mw;
                self.shell_cost_in_service += b.cost;
            }
            if b.arrive <= i && i <= b.dep_last {
                let d = b.dep_q.min(b.nbv);
                b.nbv -= d;
                out.dep_shell += d;
            }
            if b.arrive <= i {
                out.nbv_shell += b.nbv;
            }
        }
        self.shell_nbv_from = i + 1;
    }

    /// The shells' quarter for a lean step, while no shell in service is in its last
    /// depreciation quarter, so each depreciates by its full `dep_q` (its book value is still
    /// about twice that or more): then this quarter's depreciation is the sum of `dep_q` over the batches in
    /// service, in batch order, and batches only join that list at its end (arrivals never
    /// decrease), so last quarter's sum plus the arrivals has the same bits as summing afresh.
    /// Book values are brought up to date later, by [`Fleet::shell_nbv`].
    fn shell_arrivals_lean(&mut self, i: usize, out: &mut FleetQuarter) {
        let (mut arrived, mut dep) = self.shell_dep_running;
        for b in &self.shells[arrived..] {
            if b.arrive > i {
                break;
            }
            self.mw_in_service += b.mw;
            self.mw_on_order -= b.mw;
            self.shell_cost_in_service += b.cost;
            dep += b.dep_q;
            arrived += 1;
        }
        self.shell_dep_running = (arrived, dep);
        out.dep_shell = dep;
    }

    /// Net book value of the shells at the end of quarter `i` (after its depreciation).
    pub fn shell_nbv(&mut self, i: usize) -> f64 {
        self.catch_up(i + 1);
        self.shells
            .iter()
            .take_while(|b| b.arrive <= i)
            .map(|b| b.nbv)
            .fold(0.0, |a, x| a + x)
    }

    /// Apply to the shells' book values the depreciation of the quarters before `end` that
    /// lean steps skipped, batch by batch and quarter by quarter as a full step does, so the
    /// values have the same bits.
    fn catch_up(&mut self, end: usize) {
        let from = self.shell_nbv_from;
        if end <= from {
            return;
        }
        for b in &mut self.shells {
            if b.arrive >= end {
                break;
            }
            for _ in from.max(b.arrive)..end.min(b.dep_last + 1) {
                b.nbv -= b.dep_q.min(b.nbv);
            }
        }
        self.shell_nbv_from = end;
    }

    fn fill_queue(&mut self, s: &Scenario, i: usize, out: &mut FleetQuarter) {
        let k = 0;
        while k < self.queue.len() {
            let c_idx = self.queue[k];
            let c = &self.cohorts[c_idx];
            if c.ready > i {
                break;
            }
            let gen_ = &s.generations[c.generation];
            let free_mw = (self.mw_in_service - self.mw_occupied).max(0.0);
            let fit = free_mw * 1000.0 / gen_.power_kw;
            let n = if fit >= c.waiting * (1.0 - 1e-12) {
                c.waiting
            } else {
                fit
            };
            if n > 0.0 {
                let econ_q = super::pricing::quarters_in(gen_.economic_life_years);
                let acct_q = super::pricing::quarters_in(gen_.accounting_life_years);
                let cost = n * c.unit_cost;
                let salvage = cost * gen_.salvage;
                let mw = n * gen_.power_kw / 1000.0;
                self.lots.push(Lot {
                    cohort: c_idx,
                    generation: c.generation,
                    count: n,
                    cost,
                    salvage,
                    in_service: i,
                    last: i + econ_q - 1,
                    dep_last: i + acct_q - 1,
                    dep_q: (cost - salvage) / acct_q as f64,
                    nbv: cost,
                    active: true,
                    mw,
                    capacity: n * gen_.perf * HOURS * gen_.availability,
                });
                self.mw_occupied += mw;
                out.placed += cost;
                self.cohorts[c_idx].waiting -= n;
            }
            if self.cohorts[c_idx].waiting <= 1e-9 * n.max(1.0) {
                self.cohorts[c_idx].waiting = 0.0;
                self.queue.remove(k);
                if let Ok(p) = self.pending.binary_search(&c_idx) {
                    self.pending.remove(p);
                }
            } else {
                // FIFO: a cohort that does not fit whole blocks the ones behind it.
                break;
            }
        }
    }

    /// Retire lots whose last quarter is `i`: returns (salvage cash, impairment).
    pub fn retire(&mut self, i: usize) -> (f64, f64) {
        let (mut salvage, mut impairment) = (0.0, 0.0);
        let mut freed = 0.0;
        for l in self.lots.iter_mut().filter(|l| l.active && l.last == i) {
            impairment += (l.nbv - l.salvage).max(0.0);
            salvage += l.salvage;
            l.nbv = 0.0;
            l.active = false;
            self.mw_occupied -= l.mw;
            freed += l.mw;
            self.retired_in_list += 1;
        }
        // Retired lots leave the list once they are half of it, so loops over lots (which all
        // skip inactive ones) mostly see the fleet in service. Removal keeps the order, so sums
        // over lots do not depend on when it happens.
        if 2 * self.retired_in_list > self.lots.len() {
            self.lots.retain(|l| l.active);
            self.retired_in_list = 0;
        }
        self.just_retired = (i, freed);
        if self.mw_occupied.abs() < 1e-9 {
            self.mw_occupied = 0.0;
        }
        (salvage, impairment)
    }
}
