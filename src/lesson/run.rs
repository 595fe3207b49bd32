//! A lesson being worked through: which stop is shown, which are done, the answers given; and
//! the run each `open` stop starts.

use super::*;
use crate::engine::presets;
use crate::player::{Player, PlayerError, RunSettings};

impl Open {
    /// The settings of the preset run it opens (`None` for a whole scenario, or a preset that
    /// does not exist).
    pub fn settings(&self) -> Option<RunSettings> {
        let preset = presets::find(self.preset.as_deref()?)?;
        let plain = RunSettings::default();
        Some(RunSettings {
            preset: preset.id,
            coordination: self.coordination.unwrap_or(plain.coordination),
            storage: self.storage.unwrap_or(plain.storage),
            seed: self.seed.unwrap_or(plain.seed),
            safeguards: None,
        })
    }

    /// The run it opens, paused at 0 s.
    pub fn player(&self) -> Result<Player, PlayerError> {
        match (&self.scenario, self.settings()) {
            (Some(scenario), _) => Player::from_scenario(scenario.as_ref().clone(), None),
            (None, Some(settings)) => Player::new(settings, Vec::new()),
            (None, None) => Err(PlayerError::NoSuchPreset(
                self.preset.clone().unwrap_or_default(),
            )),
        }
    }
}

/// How a stop shows in the row of progress dots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Done (shown, answered, acted on or met).
    Done,
    /// The stop shown.
    Current,
    /// Not done yet.
    Todo,
}

impl Mark {
    /// The `data-state` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Mark::Done => "done",
            Mark::Current => "current",
            Mark::Todo => "todo",
        }
    }
}

/// A lesson being worked through.
///
/// A stop with a task is done when the task is: an action once the run shows it, a question
/// once answered, a challenge once met (checked by [`LessonRun::observe`] after each change
/// of the run). Any other stop is done once shown. Nothing blocks moving on: a teacher may
/// skip, and the dots show what is left.
#[derive(Debug, Clone, PartialEq)]
pub struct LessonRun {
    lesson: Lesson,
    at: usize,
    done: Vec<bool>,
    picked: Vec<Option<usize>>,
}

impl LessonRun {
    /// Starts `lesson` at its first stop, with what `progress` says was done before (entries
    /// that do not fit the lesson, as after an edit of its file, are left out).
    pub fn new(lesson: Lesson, progress: Option<&LessonProgress>) -> LessonRun {
        let n = lesson.stops.len();
        let mut run = LessonRun {
            done: vec![false; n],
            picked: vec![None; n],
            at: 0,
            lesson,
        };
        if let Some(p) = progress {
            for (i, stop) in run.lesson.stops.iter().enumerate() {
                let (done, picked) = match stop.kind() {
                    StopKind::Ask(ask) => {
                        let picked = p.picked.get(&i).copied().filter(|&c| c < ask.choices.len());
                        (picked.is_some(), picked)
                    }
                    StopKind::Challenge(_) => (p.met.contains(&i), None),
                    _ => (p.done.contains(&i), None),
                };
                if let Some(slot) = run.done.get_mut(i) {
                    *slot = done;
                }
                if let Some(slot) = run.picked.get_mut(i) {
                    *slot = picked;
                }
            }
        }
        run.arrive();
        run
    }

    /// The lesson.
    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    /// The stop shown, numbered from 0.
    pub fn index(&self) -> usize {
        self.at
    }

    /// How many stops the lesson has.
    pub fn stop_count(&self) -> usize {
        self.lesson.stops.len()
    }

    /// The stop shown.
    pub fn stop(&self) -> Option<&Stop> {
        self.lesson.stops.get(self.at)
    }

    /// A stop without a task is done once shown.
    fn arrive(&mut self) {
        let plain = self.stop().is_some_and(|s| !s.has_task());
        if let (true, Some(done)) = (plain, self.done.get_mut(self.at)) {
            *done = true;
        }
    }

    /// Shows stop `stop`; `false` if there is no such stop or it is shown already.
    pub fn go_to(&mut self, stop: usize) -> bool {
        if stop >= self.stop_count() || stop == self.at {
            return false;
        }
        self.at = stop;
        self.arrive();
        true
    }

    /// The next stop; `false` at the last.
    pub fn forward(&mut self) -> bool {
        self.go_to(self.at + 1)
    }

    /// The stop before; `false` at the first.
    pub fn back(&mut self) -> bool {
        self.at
            .checked_sub(1)
            .is_some_and(|before| self.go_to(before))
    }

    /// The first stop not done yet (where a student coming back resumes), or the first stop
    /// when every one is done.
    pub fn resume_at(&self) -> usize {
        self.done.iter().position(|d| !d).unwrap_or(0)
    }

    /// Answers the question shown with `choice`. Only the first answer counts, and only a
    /// choice it offers; returns whether it was taken.
    pub fn answer(&mut self, choice: usize) -> bool {
        let Some(StopKind::Ask(ask)) = self.stop().map(Stop::kind) else {
            return false;
        };
        let offered = choice < ask.choices.len();
        match self.picked.get_mut(self.at) {
            Some(slot @ None) if offered => {
                *slot = Some(choice);
                if let Some(done) = self.done.get_mut(self.at) {
                    *done = true;
                }
                true
            }
            _ => false,
        }
    }

    /// The answer given to stop `stop`'s question, if any.
    pub fn picked(&self, stop: usize) -> Option<usize> {
        self.picked.get(stop).copied().flatten()
    }

    /// Looks at the run after a change: the stop shown is done once its action shows in the
    /// run or its challenge is met. Returns whether that newly happened.
    pub fn observe(&mut self, player: &Player) -> bool {
        let now = match self.stop().map(Stop::kind) {
            Some(StopKind::Do(action)) => action.done(player),
            Some(StopKind::Challenge(challenge)) => challenge.met(player),
            _ => return false,
        };
        match self.done.get_mut(self.at) {
            Some(done) if now && !*done => {
                *done = true;
                true
            }
            _ => false,
        }
    }

    /// Whether stop `stop` is done.
    pub fn is_done(&self, stop: usize) -> bool {
        self.done.get(stop).copied().unwrap_or(false)
    }

    /// How many stops are done.
    pub fn done_count(&self) -> usize {
        self.done.iter().filter(|d| **d).count()
    }

    /// Each stop's dot: the one shown, then done or not.
    pub fn marks(&self) -> Vec<Mark> {
        (0..self.stop_count())
            .map(|i| {
                if i == self.at {
                    Mark::Current
                } else if self.is_done(i) {
                    Mark::Done
                } else {
                    Mark::Todo
                }
            })
            .collect()
    }

    /// The challenges: (met, in all).
    pub fn challenges(&self) -> (usize, usize) {
        let challenges = self
            .lesson
            .stops
            .iter()
            .enumerate()
            .filter(|(_, s)| s.challenge.is_some());
        challenges.fold((0, 0), |(met, all), (i, _)| {
            (met + usize::from(self.is_done(i)), all + 1)
        })
    }

    /// What to remember of this lesson.
    pub fn progress(&self) -> LessonProgress {
        let mut p = LessonProgress::default();
        for (i, stop) in self.lesson.stops.iter().enumerate() {
            match (stop.kind(), self.picked(i)) {
                (StopKind::Ask(_), Some(choice)) => {
                    p.picked.insert(i, choice);
                }
                (StopKind::Challenge(_), _) if self.is_done(i) => {
                    p.met.insert(i);
                }
                _ if self.is_done(i) => {
                    p.done.insert(i);
                }
                _ => {}
            }
        }
        p
    }
}
