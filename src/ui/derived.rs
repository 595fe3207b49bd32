//! Values derived from the run once per change and shared by every component.

use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::event::Event;
use crate::engine::scenario::Scenario;
use crate::engine::snapshot::Snapshot;
use crate::view::html::{lines_from, Line};
use crate::view::layout::Lane;
use crate::view::svg::Focus;
use crate::view::tokens::{tokens, Token};

use super::handles::{Reader, Selection};
use crate::player::Player;

/// Values derived from the run, computed once per change and shared by every component.
#[derive(Clone, Copy)]
pub struct Derived {
    /// The snapshot.
    pub snapshot: Memo<Snapshot>,
    /// The scenario being run (changes only with a new run).
    pub scenario: Memo<Scenario>,
    /// Every event, told.
    pub lines: Memo<Arc<Vec<Line>>>,
    /// The messages in flight, as tokens.
    pub tokens: Memo<Vec<Token>>,
    /// What the selected event points at.
    pub focus: Memo<Option<Focus>>,
}

impl Derived {
    /// Derives from a run; `initial` stands in while the run cannot be read (after unmounting).
    pub fn new(
        reader: Reader,
        selection: Selection,
        initial: Snapshot,
        initial_scenario: Scenario,
    ) -> Self {
        let snapshot = Memo::new(move |previous: Option<&Snapshot>| {
            reader
                .read(Player::snapshot)
                .or_else(|| previous.cloned())
                .unwrap_or_else(|| initial.clone())
        });
        let scenario = Memo::new(move |previous: Option<&Scenario>| {
            reader
                .read(|p| p.sim().scenario().clone())
                .or_else(|| previous.cloned())
                .unwrap_or_else(|| initial_scenario.clone())
        });
        // Telling thousands of events on every change would be slow: the events told last time
        // are kept, and only those past the part the run still shares with them are told again
        // (the run grows, goes back to an earlier moment, or forks from one).
        let told = StoredValue::new((Vec::<Event>::new(), Vec::<Line>::new()));
        // Comparing thousands of lines to learn whether they changed would cost as much as
        // telling them: a new list always counts as a change.
        let lines = Memo::new_with_compare(
            move |_: Option<&Arc<Vec<Line>>>| {
                reader
                    .read(|p| {
                        let trace = p.sim().trace();
                        told.update_value(|(events, lines_told)| {
                            let same = events.iter().zip(trace).take_while(|(a, b)| a == b).count();
                            events.truncate(same);
                            lines_told.truncate(same);
                            if same < trace.len() {
                                let fresh = lines_from(p.sim(), same);
                                events.extend(trace.iter().skip(same).cloned());
                                lines_told.extend(fresh);
                            }
                        });
                        told.with_value(|(_, l)| Arc::new(l.clone()))
                    })
                    .unwrap_or_default()
            },
            |_, _| true,
        );
        let tokens = Memo::new(move |_| {
            let scenario = scenario.get();
            snapshot.with(|s| tokens(&s.in_flight, &scenario.definition, scenario.coordination))
        });
        let focus = Memo::new(move |_| {
            let seq = selection.event.get()?;
            let (nodes, message) = lines.with(|lines| {
                lines
                    .get(usize::try_from(seq).unwrap_or(usize::MAX))
                    .filter(|l| l.seq == seq)
                    .or_else(|| lines.iter().find(|l| l.seq == seq))
                    .map(|l| (l.story.nodes.clone(), l.story.message))
            })?;
            let edge = message.and_then(|id| {
                reader
                    .read(|p| {
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
