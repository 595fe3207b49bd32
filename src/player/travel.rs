//! Time travel: going back to an earlier moment of the run (replayed from the history's
//! checkpoints), stepping back, returning to the latest moment, and the fork a command makes
//! when it is sent from the past.

use super::*;

impl Player {
    /// Whether an earlier moment than the latest is shown.
    pub fn in_past(&self) -> bool {
        self.latest.is_some() || self.unfolding.as_ref().is_some_and(|u| u.shown < u.seen)
    }

    /// Every event of the run up to its latest moment (the timeline), even while an earlier
    /// moment is shown.
    pub fn timeline(&self) -> &[Event] {
        match &self.latest {
            Some(l) => l
                .unfolding
                .as_ref()
                .and_then(Unfolding::furthest)
                .unwrap_or(&l.at)
                .sim
                .trace(),
            None => match &self.unfolding {
                Some(u) => u.furthest().unwrap_or(&self.at).sim.trace(),
                None => self.at.sim.trace(),
            },
        }
    }

    /// How many events the run's start has (events of faults injected at time 0).
    pub fn start_events(&self) -> u64 {
        self.start_events
    }

    /// The history, rebuilt by replaying the latest moment's run when a command made it stale.
    pub(super) fn tape(&mut self) -> Option<&History> {
        if self.tape.is_none() {
            let (scenario, until) = match &self.latest {
                Some(l) => (l.at.sim.replay_scenario(), l.at.sim.now_ms()),
                None => (self.at.sim.replay_scenario(), self.at.sim.now_ms()),
            };
            self.tape = History::replay(scenario, until, CHECKPOINT_EVERY)
                .ok()
                .map(|(history, _)| history);
        }
        self.tape.as_ref()
    }

    /// Shows the moment when `events` events had happened (rounded up to the end of the step
    /// that produced the last of them). Going to the latest moment or beyond returns to it.
    pub fn seek(&mut self, events: u64) {
        let latest = self.timeline().len() as u64;
        let target = events.max(self.start_events);
        if target >= latest {
            self.return_to_latest();
            return;
        }
        if target == self.event_count() && self.in_past() {
            return;
        }
        let Some(moment) = self.tape().and_then(|t| t.seek(target)) else {
            return;
        };
        if moment.sim.event_count() >= latest {
            // The step holding the target was the last one: that is the latest moment.
            self.return_to_latest();
            return;
        }
        // Leaving an instant shown event by event: its furthest event shown stays the latest.
        let unfolding = self.unfolding.take().and_then(|mut u| {
            u.shown = u.seen;
            (u.shown < u.moments.len()).then_some(u)
        });
        let shown = std::mem::replace(&mut self.at, moment);
        if self.latest.is_none() {
            self.latest = Some(Box::new(Latest {
                at: shown,
                clock_ms: self.clock_ms,
                determinism_checked: self.determinism_checked,
                unfolding,
            }));
        }
        self.clock_ms = self.at.sim.now_ms() as f64;
        self.determinism_checked = false;
        self.after_change();
    }

    /// Goes back exactly one event (within an occurrence, to the moment right after its event
    /// before). `false` at the start of the run.
    pub fn step_back(&mut self) -> bool {
        if let Some(u) = &mut self.unfolding {
            if let Some(earlier) = u.shown.checked_sub(1) {
                u.shown = earlier;
                return true;
            }
        }
        let now = self.event_count();
        if now <= self.start_events {
            return false;
        }
        let Some(start) = self.tape().map(|t| t.boundary_before(now)) else {
            return false;
        };
        self.seek(start);
        if now - start > 1 && self.at.sim.event_count() == start {
            // The occurrence holding event `now` had several: run it again, event by event, and
            // show it as it stood right after the event before. How far the page had shown it
            // is kept when it is the latest moment's.
            let kept = self.latest.as_ref().and_then(|l| {
                let u = l.unfolding.as_ref()?;
                Some((l.at.sim.event_count(), u.seen))
            });
            let moments = self.step_to_events();
            let seen = kept
                .filter(|&(end, _)| end == self.at.sim.event_count())
                .map(|(_, seen)| seen);
            let shown = usize::try_from(now - start - 2).unwrap_or(usize::MAX);
            self.unfold(moments, shown, seen);
            self.clock_ms = self.at.sim.now_ms() as f64;
        }
        true
    }

    /// Goes back to the start of the moment of simulated time shown (or, at its start, of the
    /// moment before): everything that happened at one instant is undone at once.
    /// `false` at the start of the run.
    pub fn step_back_instant(&mut self) -> bool {
        let now = self.event_count();
        if now <= self.start_events {
            return false;
        }
        let trace = self.timeline();
        let at = usize::try_from(now).ok().and_then(|n| n.checked_sub(1));
        let Some(instant) = at.and_then(|i| trace.get(i)).map(|e| e.at_ms) else {
            return false;
        };
        let first = trace.iter().position(|e| e.at_ms == instant).unwrap_or(0) as u64;
        self.seek(first.max(self.start_events));
        true
    }

    /// Shows the latest moment again (the furthest event shown, inside an instant shown event
    /// by event).
    pub fn return_to_latest(&mut self) {
        if self.latest.is_none() {
            // Inside an instant shown event by event: to the furthest event shown so far.
            if let Some(u) = &mut self.unfolding {
                u.shown = u.seen;
                if u.shown >= u.moments.len() {
                    self.unfolding = None;
                }
            }
            return;
        }
        if let Some(l) = self.latest.take() {
            self.at = l.at;
            self.clock_ms = l.clock_ms;
            self.determinism_checked = l.determinism_checked;
            self.unfolding = l.unfolding;
        }
    }

    /// The fork the last command made, once (for the page to say so).
    pub fn take_fork(&mut self) -> Option<Fork> {
        self.fork.take()
    }

    /// A command at a past moment: the future after it is discarded and this moment becomes the
    /// latest, with the commands it had already run and none of the old future's.
    pub(super) fn fork_here(&mut self) {
        let Some(latest) = self.latest.take() else {
            return;
        };
        self.at.sim.forget_future_commands(self.own_commands);
        let faults = self.at.sim.faults().len();
        let gone: Vec<FaultSpec> = self
            .planned
            .iter()
            .filter(|(id, _)| *id >= faults)
            .map(|(_, f)| f.clone())
            .collect();
        self.planned.retain(|(id, _)| *id < faults);
        for spec in gone {
            if let Some(i) = self.plan.iter().rposition(|f| *f == spec) {
                self.plan.remove(i);
            }
        }
        self.fork = Some(Fork {
            at_ms: self.at.sim.now_ms(),
            events: self.at.sim.event_count(),
            discarded: latest
                .at
                .sim
                .event_count()
                .saturating_sub(self.at.sim.event_count()),
        });
    }
}
