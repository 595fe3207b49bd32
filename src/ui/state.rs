//! The page's state: one [`Player`] owned by the page, the signals that say when it changed, and
//! what the person has selected. Components receive these `Copy` handles as props.

use leptos::prelude::*;

use crate::engine::message::SagaId;
use crate::engine::scenario::Scenario;
use crate::engine::snapshot::Snapshot;
use crate::view::format::capitalise;
use crate::view::html::{lines, Line};
use crate::view::layout::{Lane, NodeKey};
use crate::view::svg::Focus;
use crate::view::tokens::{tokens, Token};

use super::player::{Player, PlayerError, RunSettings};

/// The run and the clock: the only way the page reaches the engine.
#[derive(Clone, Copy)]
pub struct Run {
    player: StoredValue<Player>,
    /// Bumped whenever the run changed in a way views show (events, commands, a new run).
    revision: RwSignal<u64>,
    /// Simulated now, for moving tokens.
    pub now_ms: RwSignal<u64>,
    /// Whether the clock is running.
    pub playing: RwSignal<bool>,
    /// Simulated time per real time, in percent (100 = real time).
    pub speed: RwSignal<u32>,
    /// A message for the person (bad input, a refused command), shown until dismissed.
    pub notice: RwSignal<Option<String>>,
    /// What the person has selected.
    pub selection: Selection,
    /// Bumped for every new run (reset, new settings), so views know to start afresh.
    pub generation: RwSignal<u64>,
}

impl Run {
    /// Wraps a player.
    pub fn new(player: Player, speed: u32) -> Self {
        Run {
            now_ms: RwSignal::new(player.now_ms()),
            player: StoredValue::new(player),
            revision: RwSignal::new(0),
            playing: RwSignal::new(false),
            speed: RwSignal::new(speed),
            notice: RwSignal::new(None),
            selection: Selection::new(),
            generation: RwSignal::new(0),
        }
    }

    /// Reads the player and subscribes to its changes.
    pub fn read<R>(&self, f: impl FnOnce(&Player) -> R) -> Option<R> {
        self.revision.track();
        self.player.try_with_value(f)
    }

    /// Reads the player without subscribing.
    pub fn peek<R>(&self, f: impl FnOnce(&Player) -> R) -> Option<R> {
        self.player.try_with_value(f)
    }

    fn changed(&self) {
        if let Some(now) = self.peek(Player::now_ms) {
            self.now_ms.set(now);
        }
        self.revision.update(|r| *r += 1);
    }

    fn report(&self, result: Result<(), PlayerError>) {
        match result {
            Ok(()) => self.notice.set(None),
            Err(e) => self.notice.set(Some(capitalise(&e.to_string()))),
        }
    }

    /// Sends a command to the run (inject, remove, cancel, redrive).
    pub fn act(&self, f: impl FnOnce(&mut Player) -> Result<(), PlayerError>) {
        let result = self.player.try_update_value(f).unwrap_or(Ok(()));
        self.report(result);
        self.changed();
    }

    /// Replaces the run with a new one made from the current one (reset, new settings).
    pub fn replace(&self, f: impl FnOnce(&Player) -> Result<Player, PlayerError>) {
        let Some(result) = self.player.try_with_value(f) else {
            return;
        };
        match result {
            Ok(next) => {
                let sagas = next.sim().sagas().len();
                self.player.set_value(next);
                self.playing.set(false);
                self.notice.set(None);
                self.selection.clear();
                self.generation.update(|g| *g += 1);
                if self.selection.saga.get_untracked() >= sagas {
                    self.selection.saga.set(0);
                }
                self.changed();
            }
            Err(e) => self.notice.set(Some(capitalise(&e.to_string()))),
        }
    }

    /// Starts a run with new settings.
    pub fn reconfigure(&self, f: impl FnOnce(RunSettings) -> RunSettings) {
        self.replace(|p| p.reconfigured(f(p.settings().clone())));
    }

    /// Plays; a run that has come to rest starts again from time 0 first.
    pub fn play(&self) {
        if self.peek(Player::is_settled).unwrap_or(false) {
            self.replace(Player::restarted);
        }
        self.playing.set(true);
    }

    /// Pauses.
    pub fn pause(&self) {
        self.playing.set(false);
    }

    /// Runs until the next event, paused.
    pub fn step(&self) {
        self.playing.set(false);
        if self.player.try_update_value(|p| p.step()).is_some() {
            self.changed();
        }
    }

    /// Restarts from time 0 with the same settings and fault plan.
    pub fn reset(&self) {
        self.replace(Player::restarted);
    }

    /// One tick of the clock: `real_ms` of real time has passed.
    pub fn tick(&self, real_ms: f64) {
        let speed = self.speed.get_untracked();
        let Some((added, now, settled)) = self.player.try_update_value(|p| {
            let added = p.advance(real_ms * f64::from(speed) / 100.0);
            (added, p.now_ms(), p.is_settled())
        }) else {
            return;
        };
        self.now_ms.set(now);
        if added > 0 || settled {
            self.revision.update(|r| *r += 1);
        }
        if settled {
            self.playing.set(false);
        }
    }
}

/// What the person has selected.
#[derive(Clone, Copy)]
pub struct Selection {
    /// The saga whose statuses the nodes show.
    pub saga: RwSignal<SagaId>,
    /// An event picked in the log (its sequence number).
    pub event: RwSignal<Option<u64>>,
    /// A node picked in the diagram: the log shows only its events.
    pub node: RwSignal<Option<NodeKey>>,
    /// The node whose fault menu is open.
    pub menu: RwSignal<Option<NodeKey>>,
    /// The data panel's tab.
    pub tab: RwSignal<&'static str>,
}

impl Selection {
    /// Nothing selected.
    pub fn new() -> Self {
        Selection {
            saga: RwSignal::new(0),
            event: RwSignal::new(None),
            node: RwSignal::new(None),
            menu: RwSignal::new(None),
            tab: RwSignal::new("tables"),
        }
    }

    /// Forgets everything that belonged to the previous run.
    pub fn clear(&self) {
        self.event.set(None);
        self.menu.set(None);
    }
}

impl Default for Selection {
    fn default() -> Self {
        Self::new()
    }
}

/// Values derived from the run, computed once per change and shared by every component.
#[derive(Clone, Copy)]
pub struct Derived {
    /// The snapshot.
    pub snapshot: Memo<Snapshot>,
    /// The scenario being run (changes only with a new run).
    pub scenario: Memo<Scenario>,
    /// Every event, told.
    pub lines: Memo<Vec<Line>>,
    /// The messages in flight, as tokens.
    pub tokens: Memo<Vec<Token>>,
    /// What the selected event points at.
    pub focus: Memo<Option<Focus>>,
}

impl Derived {
    /// Derives from a run; `initial` stands in while the run cannot be read (after unmounting).
    pub fn new(run: Run, initial: Snapshot, initial_scenario: Scenario) -> Self {
        let snapshot = Memo::new(move |previous: Option<&Snapshot>| {
            run.read(Player::snapshot)
                .or_else(|| previous.cloned())
                .unwrap_or_else(|| initial.clone())
        });
        let scenario = Memo::new(move |previous: Option<&Scenario>| {
            run.read(|p| p.sim().scenario().clone())
                .or_else(|| previous.cloned())
                .unwrap_or_else(|| initial_scenario.clone())
        });
        let lines = Memo::new(move |_: Option<&Vec<Line>>| {
            run.read(|p| lines(p.sim())).unwrap_or_default()
        });
        let tokens = Memo::new(move |_| {
            let scenario = scenario.get();
            snapshot.with(|s| tokens(&s.in_flight, &scenario.definition, scenario.coordination))
        });
        let focus = Memo::new(move |_| {
            let seq = run.selection.event.get()?;
            let (nodes, message) = lines.with(|lines| {
                lines
                    .get(usize::try_from(seq).unwrap_or(usize::MAX))
                    .filter(|l| l.seq == seq)
                    .or_else(|| lines.iter().find(|l| l.seq == seq))
                    .map(|l| (l.story.nodes.clone(), l.story.message))
            })?;
            let edge = message.and_then(|id| {
                run.read(|p| {
                    p.sim()
                        .messages()
                        .iter()
                        .find(|m| m.id == id)
                        .map(|m| (m.from, m.to, Lane::of(&m.body)))
                })
                .flatten()
            });
            Some(Focus {
                nodes,
                message,
                edge,
            })
        });
        Derived {
            snapshot,
            scenario,
            lines,
            tokens,
            focus,
        }
    }
}
