//! The run the page owns: one [`Player`] (and its twin, side by side) behind [`Run`], the handle
//! that bundles the narrow ones of `handles.rs` with the methods that change the run: commands,
//! play and pause, time travel, side by side and predict mode.

use leptos::prelude::*;

use crate::engine::scenario::Coordination;
use crate::view::command::TwinShown;
use crate::view::format::capitalise;
use crate::view::predict::{question, Question};
use crate::view::teach::{fork_notice, View};

use super::handles::{Clock, Layout, Overlay, Reader, Selection};
use crate::player::predict::{self, AfterQuestion};
use crate::player::{Player, PlayerError, RunSettings};

/// How far predict mode looks ahead for the next key event, in engine steps.
const LOOK_AHEAD_STEPS: usize = 20_000;
/// Predict mode's state, about the view's questions.
pub type Predict = predict::Predict<Question>;

/// The run and everything around it: the only way the page changes the engine. Components that
/// send commands receive this; those that only show receive the narrow handles it is made of.
#[derive(Clone, Copy)]
pub struct Run {
    /// Reading the run.
    pub reader: Reader,
    /// The clock.
    pub clock: Clock,
    /// The page's layout.
    pub layout: Layout,
    /// What the person has selected.
    pub selection: Selection,
    /// Predict mode.
    pub predict: RwSignal<Predict>,
    /// The guided lesson followed, and the student's progress.
    pub lessons: super::lessons::Lessons,
}

impl Run {
    /// Wraps a player.
    pub fn new(player: Player, speed: u32, lessons: super::lessons::Lessons) -> Self {
        Run {
            lessons,
            clock: Clock {
                now_ms: RwSignal::new(player.now_ms()),
                playing: RwSignal::new(false),
                speed: RwSignal::new(speed),
            },
            reader: Reader {
                player: StoredValue::new(player),
                twin: StoredValue::new(None),
                revision: RwSignal::new(0),
                generation: RwSignal::new(0),
            },
            layout: Layout {
                view: RwSignal::new(View::Diagram),
                presenter: RwSignal::new(false),
                drawer: RwSignal::new(false),
                twin_shown: RwSignal::new(TwinShown::Run(Coordination::Orchestration)),
                overlay: RwSignal::new(Overlay::None),
                overlay_opener: StoredValue::new_local(None),
                side_by_side: RwSignal::new(false),
                commit: RwSignal::new(Default::default()),
                notice: RwSignal::new(None),
            },
            selection: Selection::new(),
            predict: RwSignal::new(Predict::default()),
        }
    }

    /// Reads the player and subscribes to its changes.
    pub fn read<R>(&self, f: impl FnOnce(&Player) -> R) -> Option<R> {
        self.reader.read(f)
    }

    /// Reads the player without subscribing.
    pub fn peek<R>(&self, f: impl FnOnce(&Player) -> R) -> Option<R> {
        self.reader.peek(f)
    }

    fn changed(&self) {
        if let Some(now) = self.peek(Player::now_ms) {
            self.clock.now_ms.set(now);
        }
        self.reader.revision.update(|r| *r += 1);
    }

    /// Sends a command to the run (inject, remove, cancel, redrive). A command at a past moment
    /// forks a new future, and the page says so.
    pub fn act(&self, f: impl FnOnce(&mut Player) -> Result<(), PlayerError>) {
        let result = self
            .reader
            .player
            .try_update_value(|p| f(p).map(|()| p.take_fork()))
            .unwrap_or(Ok(None));
        match result {
            Ok(fork) => {
                self.layout
                    .notice
                    .set(fork.map(|f| fork_notice(f.at_ms, f.events, f.discarded)));
                if fork.is_some() {
                    self.sync_twin();
                }
            }
            Err(e) => self.layout.notice.set(Some(capitalise(&e.to_string()))),
        }
        self.rearm();
        self.changed();
    }

    /// Changes the twin run only (side by side), quietly.
    pub fn with_twin(&self, f: impl FnOnce(&mut Player)) {
        self.reader.twin.update_value(|t| {
            if let Some(t) = t {
                f(t);
            }
        });
    }

    /// Sends the same command to both runs when they are side by side (one fault plan); the
    /// twin's refusals are not the page's news (a fault may not apply to its style).
    pub fn act_both(&self, f: impl Fn(&mut Player) -> Result<(), PlayerError>) {
        if self.layout.side_by_side.get_untracked() {
            self.reader.twin.update_value(|t| {
                if let Some(t) = t {
                    let _ignored = f(t);
                }
            });
        }
        self.act(f);
    }

    /// Replaces the run with a new one made from the current one (reset, new settings).
    pub fn replace(&self, f: impl FnOnce(&Player) -> Result<Player, PlayerError>) {
        let Some(result) = self.reader.player.try_with_value(f) else {
            return;
        };
        match result {
            Ok(next) => {
                let sagas = next.sim().sagas().len();
                let twin = self
                    .layout
                    .side_by_side
                    .get_untracked()
                    .then(|| twin_of(&next).ok())
                    .flatten();
                if self.layout.side_by_side.get_untracked() && twin.is_none() {
                    self.layout.side_by_side.set(false);
                }
                self.reader.twin.set_value(twin);
                self.reader.player.set_value(next);
                self.predict.update(Predict::new_run);
                self.clock.playing.set(false);
                self.layout.notice.set(None);
                self.selection.clear();
                self.reader.generation.update(|g| *g += 1);
                if self.selection.saga.get_untracked() >= sagas {
                    self.selection.saga.set(0);
                }
                self.rearm();
                self.changed();
            }
            Err(e) => self.layout.notice.set(Some(capitalise(&e.to_string()))),
        }
    }

    /// Starts a run with new settings.
    pub fn reconfigure(&self, f: impl FnOnce(RunSettings) -> RunSettings) {
        self.replace(|p| p.reconfigured(f(p.settings().clone())));
    }

    /// Plays; a run that has come to rest starts again from time 0 first. In predict mode, a
    /// question waiting to be answered is answered first.
    pub fn play(&self) {
        // A pause a lesson holds lets go once the teacher plays on.
        super::lessons::release(*self, false);
        if self.predict.with_untracked(|p| p.asking) {
            self.predict_continue();
            return;
        }
        if self.settled_untracked() {
            self.replace(Player::restarted);
        }
        self.back_to_live();
        self.clock.playing.set(true);
    }

    fn settled_untracked(&self) -> bool {
        let main = self.peek(Player::is_settled).unwrap_or(false);
        let twin = self
            .reader
            .twin
            .try_with_value(|t| t.as_ref().is_none_or(Player::is_settled))
            .unwrap_or(true);
        main && twin
    }

    /// Playing or stepping on goes back to live narration: a selected event (the strip selects
    /// the one it was clicked at) would otherwise hold the narration and the log while time runs.
    fn back_to_live(&self) {
        if self.selection.event.get_untracked().is_some() {
            self.selection.event.set(None);
        }
    }

    /// Pauses.
    pub fn pause(&self) {
        self.clock.playing.set(false);
    }

    /// Shows exactly one more event, paused.
    pub fn step(&self) {
        self.step_with(Player::step);
    }

    /// Runs everything at the next moment of simulated time, paused.
    pub fn step_instant(&self) {
        self.step_with(Player::step_instant);
    }

    fn step_with(&self, step: fn(&mut Player) -> u64) {
        self.clock.playing.set(false);
        self.back_to_live();
        super::lessons::release(*self, false);
        if self.peek(Player::at_stop).unwrap_or(false) {
            self.ask();
            return;
        }
        if self.reader.player.try_update_value(step).is_some() {
            self.sync_twin();
            self.changed();
        }
    }

    /// Restarts from time 0 with the same settings and fault plan.
    pub fn reset(&self) {
        self.replace(Player::restarted);
    }

    /// Goes back one event, paused.
    pub fn step_back(&self) {
        self.step_back_with(Player::step_back);
    }

    /// Goes back to the start of the moment of simulated time shown, paused.
    pub fn step_back_instant(&self) {
        self.step_back_with(Player::step_back_instant);
    }

    fn step_back_with(&self, back: fn(&mut Player) -> bool) {
        self.clock.playing.set(false);
        if self.reader.player.try_update_value(back) == Some(true) {
            self.moved();
        }
    }

    /// Shows the moment when `events` events had happened, paused.
    pub fn seek(&self, events: u64) {
        self.clock.playing.set(false);
        if self
            .reader
            .player
            .try_update_value(|p| p.seek(events))
            .is_some()
        {
            self.moved();
        }
    }

    /// Shows the latest moment of the run again.
    pub fn to_latest(&self) {
        if self
            .reader
            .player
            .try_update_value(Player::return_to_latest)
            .is_some()
        {
            self.moved();
        }
    }

    fn moved(&self) {
        self.sync_twin();
        self.rearm();
        self.changed();
    }

    /// Whether an earlier moment than the latest is shown.
    pub fn in_past(&self) -> bool {
        self.read(Player::in_past).unwrap_or(false)
    }

    // ---- side by side ---------------------------------------------------------------------

    /// Shows both coordination styles side by side (one seed, one fault plan, one clock), or
    /// one again. Both runs start again from 0 s.
    pub fn set_side_by_side(&self, on: bool) {
        if on == self.layout.side_by_side.get_untracked() {
            return;
        }
        if on {
            let twin = self.peek(twin_of);
            match twin {
                Some(Ok(_)) => {
                    self.layout.side_by_side.set(true);
                    self.replace(Player::restarted);
                }
                Some(Err(PlayerError::OneStyleOnly(title, only))) => {
                    self.layout.notice.set(Some(format!(
                        "“{title}” runs in {} only, so it cannot run side by side.",
                        only.as_str()
                    )))
                }
                Some(Err(e)) => self
                    .layout
                    .notice
                    .set(Some(format!("Side by side needs both styles: {e}."))),
                None => {}
            }
        } else {
            self.layout.side_by_side.set(false);
            self.reader.twin.set_value(None);
            self.changed();
        }
    }

    /// Brings the twin run to the main run's moment (going back in its own history when it is
    /// ahead); returns how many events the twin ran on.
    fn sync_twin(&self) -> u64 {
        if !self.layout.side_by_side.get_untracked() {
            return 0;
        }
        let Some(now) = self.peek(Player::now_ms) else {
            return 0;
        };
        self.reader
            .twin
            .try_update_value(|t| {
                let Some(twin) = t else {
                    return 0;
                };
                if twin.now_ms() > now {
                    // Back to the same moment in the twin's own history (so its commands stay
                    // at their times, and a command from here forks it as it forks the main run).
                    let events = twin
                        .timeline()
                        .iter()
                        .take_while(|e| e.at_ms <= now)
                        .count();
                    twin.seek(events as u64);
                }
                let behind = now.saturating_sub(twin.now_ms());
                twin.advance(behind as f64)
            })
            .unwrap_or(0)
    }

    // ---- predict mode ---------------------------------------------------------------------

    /// Predict mode on or off.
    pub fn set_predict(&self, on: bool) {
        self.predict.update(|p| p.set_on(on));
        self.rearm();
        self.changed();
    }

    /// Looks ahead for the next step with a key event and asks the player to stop before it.
    fn rearm(&self) {
        let on = self.predict.with_untracked(|p| p.on);
        let found = if on {
            self.peek(|p| {
                p.look_ahead(LOOK_AHEAD_STEPS, |before, next, sim| {
                    question(before, next, sim.scenario(), sim.messages())
                })
            })
            .flatten()
        } else {
            None
        };
        let stop = found.as_ref().map(|(stop, _)| *stop);
        self.reader.player.update_value(|p| p.set_stop(stop));
        self.predict
            .update(|p| p.arm(found.map(|(_, q)| q).unwrap_or_default()));
        if on && self.peek(Player::at_stop).unwrap_or(false) {
            self.ask();
        }
    }

    /// The run has reached a key step: pause and show its first question.
    fn ask(&self) {
        self.clock.playing.set(false);
        self.predict.update(|p| {
            p.ask();
        });
    }

    /// Picks an answer to the question shown (once).
    pub fn predict_answer(&self, choice: usize) {
        self.predict.update(|p| {
            p.answer(choice);
        });
    }

    /// Closes the question shown: the next one of the same step, or the step runs and the run
    /// plays on to the next key event.
    pub fn predict_continue(&self) {
        let after = self.predict.try_update(Predict::close_question);
        match after {
            Some(AfterQuestion::NothingAsked | AfterQuestion::NextQuestion) | None => {}
            Some(AfterQuestion::StepRuns) => {
                self.reader.player.update_value(|p| {
                    p.set_stop(None);
                    p.step();
                });
                self.sync_twin();
                self.rearm();
                self.changed();
                if !self.predict.with_untracked(|p| p.asking) && !self.settled_untracked() {
                    self.clock.playing.set(true);
                }
            }
        }
    }

    /// One tick of the clock: `real_ms` of real time has passed.
    pub fn tick(&self, real_ms: f64) {
        let speed = self.clock.speed.get_untracked();
        let Some((added, now, stopped)) = self.reader.player.try_update_value(|p| {
            let added = p.advance(real_ms * f64::from(speed) / 100.0);
            (added, p.now_ms(), p.at_stop())
        }) else {
            return;
        };
        let twin_added = self.sync_twin();
        self.clock.now_ms.set(now);
        let settled = self.settled_untracked();
        if added > 0 || twin_added > 0 || settled || stopped {
            self.reader.revision.update(|r| *r += 1);
        }
        if stopped {
            self.ask();
        } else if settled {
            self.clock.playing.set(false);
        }
    }
}

/// The same settings and fault plan in the other coordination style.
fn twin_of(player: &Player) -> Result<Player, PlayerError> {
    use crate::engine::scenario::Coordination;
    let settings = player.settings().clone();
    let other = match settings.coordination {
        Coordination::Orchestration => Coordination::Choreography,
        Coordination::Choreography => Coordination::Orchestration,
    };
    player.reconfigured(RunSettings {
        coordination: other,
        ..settings
    })
}
