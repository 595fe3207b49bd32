//! Reading a lesson file and the list of lessons: the size, then the version, then each field
//! (each stop on its own, so that a problem names its stop), then the rules serde cannot say.
//! Every rejection is a sentence in the page's words that names the place and the problem.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::*;
use crate::engine::presets;
use crate::engine::scenario::{json_error_parts, MAX_SAGAS, SCENARIO_VERSION};

/// The format of the list of lessons (the `sagascope_lessons` field of `index.json`).
pub const INDEX_VERSION: u32 = 1;

const MAX_ID: usize = 40;
const MAX_TITLE: usize = 80;
const MAX_SUMMARY: usize = 300;
const MAX_SAY: usize = 600;
const MAX_PROMPT: usize = 300;
const MAX_CHOICE: usize = 120;
const MAX_WHY: usize = 600;
const MAX_HINT: usize = 300;
const MAX_MOVES: usize = 8;
const MAX_LESSONS: usize = 100;

/// What is wrong with a lesson file (or the list of lessons).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LessonError {
    /// The text is larger than accepted.
    #[error("the file is {0} bytes; at most {max} are accepted", max = MAX_LESSON_BYTES)]
    TooLarge(usize),
    /// The text is not JSON (or is cut short).
    #[error("line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// The text is JSON but has no version field of this kind of file.
    #[error("this is not a Sagascope {what}: it has no \"{field}\" version")]
    NotALesson {
        /// "lesson" or "list of lessons".
        what: &'static str,
        /// The version field looked for.
        field: &'static str,
    },
    /// The version names a format this code does not read.
    #[error("version {found} is not supported; this Sagascope reads version {reads}")]
    Version {
        /// The version the file gives.
        found: u64,
        /// The version this code reads.
        reads: u32,
    },
    /// A value is missing, unknown, out of range or refers to something that does not exist.
    #[error("{place}: {problem}")]
    Invalid {
        /// Where ("stop 3", "title").
        place: String,
        /// What is wrong.
        problem: String,
    },
}

fn invalid(place: impl Into<String>, problem: impl Into<String>) -> LessonError {
    LessonError::Invalid {
        place: place.into(),
        problem: problem.into(),
    }
}

/// Parses JSON text of at most `MAX_LESSON_BYTES` whose top-level `field` must be `version`.
fn versioned(
    text: &str,
    field: &'static str,
    what: &'static str,
    version: u32,
) -> Result<Value, LessonError> {
    if text.len() > MAX_LESSON_BYTES {
        return Err(LessonError::TooLarge(text.len()));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let (line, column, message) = json_error_parts(&e);
        LessonError::Json {
            line,
            column,
            message,
        }
    })?;
    match value.get(field) {
        None => Err(LessonError::NotALesson { what, field }),
        Some(v) => match v.as_u64() {
            Some(found) if found == u64::from(version) => Ok(value),
            Some(found) => Err(LessonError::Version {
                found,
                reads: version,
            }),
            None => Err(invalid(field, "the version must be a whole number")),
        },
    }
}

/// Reads a value with serde, saying what went wrong at `place` in the page's words.
fn typed<T: DeserializeOwned>(value: Value, place: &str) -> Result<T, LessonError> {
    // Read back through text rather than `from_value`: the text reader is the one scenario files
    // use, so a lesson's scenario and faults do not ship a second copy of every deserializer.
    serde_json::from_str(&value.to_string())
        .map_err(|e| invalid(place, reword(&json_error_parts(&e).2)))
}

/// serde's messages as sentences: "unknown field `x`, expected one of `a`, `b`" becomes
/// "there is no field "x" here; the fields are a, b".
fn reword(message: &str) -> String {
    let quoted = |s: &str| s.replace('`', "\"");
    let bare = |s: &str| s.replace('`', "").replace("one of ", "");
    let named = |rest: &str| -> Option<(String, String)> {
        let rest = rest.strip_prefix('`')?;
        let (name, rest) = rest.split_once('`')?;
        let expected = rest.strip_prefix(", expected ").unwrap_or(rest);
        Some((name.to_string(), bare(expected)))
    };
    if let Some((name, expected)) = message.strip_prefix("unknown field ").and_then(named) {
        return format!("there is no field {name:?} here; the fields are {expected}");
    }
    if let Some((name, expected)) = message.strip_prefix("unknown variant ").and_then(named) {
        return format!("{name:?} is not one of {expected}");
    }
    if let Some((name, _)) = message.strip_prefix("missing field ").and_then(named) {
        return format!("the field {name:?} is missing");
    }
    quoted(message)
}

/// A lesson's fields besides its stops, which are read one by one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    sagascope_lesson: u32,
    id: String,
    title: String,
    summary: String,
    stops: Vec<Value>,
}

impl Lesson {
    /// Parses and validates a lesson file; every rejection names the place and the problem.
    pub fn from_json(text: &str) -> Result<Lesson, LessonError> {
        let value = versioned(text, "sagascope_lesson", "lesson", LESSON_VERSION)?;
        let header: Header = typed(value, "the lesson")?;
        let stops = header
            .stops
            .into_iter()
            .enumerate()
            .map(|(i, stop)| typed(stop, &format!("stop {}", i + 1)))
            .collect::<Result<Vec<Stop>, _>>()?;
        let lesson = Lesson {
            version: header.sagascope_lesson,
            id: header.id,
            title: header.title,
            summary: header.summary,
            stops,
        };
        lesson.validate()?;
        Ok(lesson)
    }

    /// Pretty JSON that [`Lesson::from_json`] reads back to an equal lesson.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks what serde cannot: lengths, counts, references, and that each stop's task makes
    /// sense where it stands.
    pub fn validate(&self) -> Result<(), LessonError> {
        if self.version != LESSON_VERSION {
            return Err(LessonError::Version {
                found: u64::from(self.version),
                reads: LESSON_VERSION,
            });
        }
        check_id(&self.id, "id")?;
        words(&self.title, "title", MAX_TITLE)?;
        words(&self.summary, "summary", MAX_SUMMARY)?;
        if self.stops.is_empty() {
            return Err(invalid(
                "stops",
                "the lesson has no stops; it needs at least one",
            ));
        }
        if self.stops.len() > MAX_STOPS {
            return Err(invalid(
                "stops",
                format!(
                    "the lesson has {} stops; at most {MAX_STOPS} are allowed",
                    self.stops.len()
                ),
            ));
        }
        // The coordination style of the run the last `open` made, once one has.
        let mut style: Option<Coordination> = None;
        for (i, stop) in self.stops.iter().enumerate() {
            let place = format!("stop {}", i + 1);
            words(&stop.say, &format!("{place}, say"), MAX_SAY)?;
            let given: Vec<&str> = [
                ("open", stop.open.is_some()),
                ("pause_at", stop.pause_at.is_some()),
                ("do", stop.action.is_some()),
                ("ask", stop.ask.is_some()),
                ("challenge", stop.challenge.is_some()),
            ]
            .into_iter()
            .filter_map(|(name, on)| on.then_some(name))
            .collect();
            if given.len() > 1 {
                return Err(invalid(
                    &place,
                    format!(
                        "a stop has at most one of open, pause_at, do, ask and challenge; this one has {}",
                        given.join(" and ")
                    ),
                ));
            }
            let needs_run = |what: &str| match style {
                Some(style) => Ok(style),
                None => Err(invalid(
                    format!("{place}, {what}"),
                    "there is no run yet: an earlier stop must open one",
                )),
            };
            match stop.kind() {
                StopKind::Talk => {}
                StopKind::Open(open) => style = Some(open.validate(&format!("{place}, open"))?),
                StopKind::PauseAt(pattern) => {
                    needs_run("pause_at")?;
                    pattern.validate(&format!("{place}, pause_at"))?;
                }
                StopKind::Do(action) => {
                    let style = needs_run("do")?;
                    action.validate(&format!("{place}, do"), style)?;
                }
                StopKind::Ask(ask) => ask.validate(&format!("{place}, ask"))?,
                StopKind::Challenge(challenge) => {
                    let style = needs_run("challenge")?;
                    challenge.validate(&format!("{place}, challenge"), style)?;
                }
            }
        }
        Ok(())
    }
}

/// Whether `id` can name a lesson: 1 to 40 lower-case letters, digits and dashes (so that it is
/// a file name and a URL part as it is).
pub(super) fn is_lesson_id(id: &str) -> bool {
    let fine = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    !id.is_empty() && id.len() <= MAX_ID && id.chars().all(fine)
}

fn check_id(id: &str, place: &str) -> Result<(), LessonError> {
    if !is_lesson_id(id) {
        return Err(invalid(
            place,
            format!("{id:?} is not an id: 1 to {MAX_ID} lower-case letters, digits and dashes"),
        ));
    }
    Ok(())
}

fn words(value: &str, place: &str, max: usize) -> Result<(), LessonError> {
    if value.trim().is_empty() {
        return Err(invalid(place, "it is empty"));
    }
    let chars = value.chars().count();
    if chars > max {
        return Err(invalid(
            place,
            format!("it has {chars} characters; at most {max} are allowed"),
        ));
    }
    Ok(())
}

fn saga(saga: Option<usize>, place: &str) -> Result<(), LessonError> {
    match saga {
        Some(n) if n >= MAX_SAGAS => Err(invalid(
            place,
            format!(
                "there is no saga {n}; sagas are numbered from 0 to {}",
                MAX_SAGAS - 1
            ),
        )),
        _ => Ok(()),
    }
}

impl Open {
    /// Checks the run it opens; returns its coordination style.
    fn validate(&self, place: &str) -> Result<Coordination, LessonError> {
        match (&self.preset, &self.scenario) {
            (Some(id), None) => {
                let preset = presets::find(id).ok_or_else(|| {
                    invalid(
                        place,
                        format!("there is no preset called {id:?}; the presets are {}", {
                            presets::PRESETS.map(|p| p.id).join(", ")
                        }),
                    )
                })?;
                let style = self.coordination.unwrap_or_default();
                if !preset.runs_in(style) {
                    return Err(invalid(
                        place,
                        format!("the preset {id:?} does not run in {}", style.as_str()),
                    ));
                }
                Ok(style)
            }
            (None, Some(scenario)) => {
                if self.coordination.is_some() || self.storage.is_some() || self.seed.is_some() {
                    return Err(invalid(
                        place,
                        "a whole scenario brings its own coordination, storage and seed; give them in it",
                    ));
                }
                if scenario.version != SCENARIO_VERSION {
                    return Err(invalid(
                        format!("{place}, scenario"),
                        format!(
                            "version {} is not supported; this Sagascope reads version {SCENARIO_VERSION}",
                            scenario.version
                        ),
                    ));
                }
                scenario
                    .validate()
                    .map_err(|e| invalid(format!("{place}, scenario"), e.to_string()))?;
                Ok(scenario.coordination)
            }
            (Some(_), Some(_)) => Err(invalid(place, "give a preset or a scenario, not both")),
            (None, None) => Err(invalid(place, "give a preset or a scenario to open")),
        }
    }
}

impl EventWanted {
    /// Whether events of this kind are about a task (so a `step` filter means something).
    pub fn has_task(self) -> bool {
        matches!(
            self,
            EventWanted::TaskStarted
                | EventWanted::TaskApplied
                | EventWanted::TaskFailed
                | EventWanted::TimedOut
                | EventWanted::RetryScheduled
                | EventWanted::StepSucceeded
                | EventWanted::StepRefused
                | EventWanted::DuplicateIgnored
                | EventWanted::ManualIntervention
                | EventWanted::RecordRead
                | EventWanted::RecordWritten
        )
    }
}

impl EventPattern {
    fn validate(&self, place: &str) -> Result<(), LessonError> {
        if self.step.is_some() && !self.event.has_task() {
            return Err(invalid(
                place,
                "this kind of event is not about a step, so it takes no \"step\"",
            ));
        }
        match self.outcome {
            Some(_) if self.event != EventWanted::SagaEnded => {
                Err(invalid(place, "only saga_ended takes an \"outcome\""))
            }
            Some(Outcome::Running) => {
                Err(invalid(place, "running is not an outcome a saga ends with"))
            }
            _ => saga(self.saga, place),
        }
    }
}

impl Action {
    fn validate(&self, place: &str, style: Coordination) -> Result<(), LessonError> {
        match self {
            Action::Inject {
                fault,
                service,
                step,
            } => {
                if matches!(fault, FaultKind::OrchestratorDown | FaultKind::Chaos) {
                    return Err(invalid(
                        place,
                        format!("the fault {:?} is not in a service's menu", fault.as_str()),
                    ));
                }
                if !fault.applies_to(style) {
                    return Err(invalid(
                        place,
                        format!(
                            "the fault {:?} means nothing in {}",
                            fault.as_str(),
                            style.as_str()
                        ),
                    ));
                }
                match step {
                    Some(op) if op.service() != *service => Err(invalid(
                        place,
                        format!(
                            "{} runs at {}, not at {}",
                            op.as_str(),
                            op.service().label(),
                            service.label()
                        ),
                    )),
                    _ => Ok(()),
                }
            }
            Action::Cancel { saga: n } => saga(Some(*n), place),
            Action::Safeguard { .. } | Action::Redrive => Ok(()),
        }
    }
}

impl Ask {
    fn validate(&self, place: &str) -> Result<(), LessonError> {
        words(&self.prompt, &format!("{place}, prompt"), MAX_PROMPT)?;
        let n = self.choices.len();
        if !(2..=MAX_CHOICES).contains(&n) {
            return Err(invalid(
                format!("{place}, choices"),
                format!("a question has 2 to {MAX_CHOICES} choices; this one has {n}"),
            ));
        }
        for (i, choice) in self.choices.iter().enumerate() {
            words(choice, &format!("{place}, choice {i}"), MAX_CHOICE)?;
            if self.choices[..i].contains(choice) {
                return Err(invalid(
                    format!("{place}, choice {i}"),
                    format!("{choice:?} is offered twice"),
                ));
            }
        }
        if self.answer >= n {
            return Err(invalid(
                format!("{place}, answer"),
                format!(
                    "the answer is choice {}, but the choices are numbered from 0 to {}",
                    self.answer,
                    n - 1
                ),
            ));
        }
        words(&self.why, &format!("{place}, why"), MAX_WHY)?;
        match &self.check {
            Some(fact) => fact.validate(&format!("{place}, check")),
            None => Ok(()),
        }
    }
}

impl Challenge {
    fn validate(&self, place: &str, style: Coordination) -> Result<(), LessonError> {
        self.goal.validate(&format!("{place}, goal"))?;
        if self.goal == Fact::PivotOutcomeUnknown && style == Coordination::Choreography {
            return Err(invalid(
                format!("{place}, goal"),
                "only an orchestrator waits for the pivot's reply: open an orchestrated run",
            ));
        }
        for (i, given) in self.requires.iter().enumerate() {
            if self.requires[..i]
                .iter()
                .any(|g| g.safeguard == given.safeguard)
            {
                return Err(invalid(
                    format!("{place}, requires"),
                    format!("{:?} is named twice", given.safeguard.as_str()),
                ));
            }
        }
        if let Some(hint) = &self.hint {
            words(hint, &format!("{place}, hint"), MAX_HINT)?;
        }
        if self.solution.len() > MAX_MOVES {
            return Err(invalid(
                format!("{place}, solution"),
                format!("at most {MAX_MOVES} moves are allowed"),
            ));
        }
        for m in &self.solution {
            if let Move::Cancel { saga: n } = m {
                saga(Some(*n), &format!("{place}, solution"))?;
            }
        }
        Ok(())
    }
}

impl Fact {
    fn validate(&self, place: &str) -> Result<(), LessonError> {
        match self {
            Fact::SagaEnds { outcome, saga: s } => {
                if *outcome == Outcome::Running {
                    return Err(invalid(place, "running is not an outcome a saga ends with"));
                }
                saga(*s, place)
            }
            Fact::FirstUndone { saga: s, .. } | Fact::Undone { saga: s, .. } => saga(*s, place),
            Fact::Happens { what, .. } => what.validate(place),
            Fact::MoneyDoesNotAddUp
            | Fact::PivotOutcomeUnknown
            | Fact::DeadLetter
            | Fact::DoubleBooking
            | Fact::LostUpdate
            | Fact::Pivot { .. }
            | Fact::CommitBlocks { .. }
            | Fact::CommitNoneInDoubt { .. }
            | Fact::CommitSplits { .. } => Ok(()),
        }
    }
}

/// The list of shipped lessons (`public/lessons/index.json`), in the order they are offered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonIndex {
    /// Format version: must be [`INDEX_VERSION`].
    #[serde(rename = "sagascope_lessons")]
    pub version: u32,
    /// The lessons; each is in `<id>.json` beside the list.
    pub lessons: Vec<IndexEntry>,
}

/// One lesson of the list: what the chooser shows before the lesson itself is fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexEntry {
    /// The lesson's id (its file is `<id>.json`).
    pub id: String,
    /// Its title, as in the file.
    pub title: String,
    /// Its summary, as in the file.
    pub summary: String,
    /// How many stops it has.
    pub stops: usize,
}

impl LessonIndex {
    /// Parses and validates the list of lessons.
    pub fn from_json(text: &str) -> Result<LessonIndex, LessonError> {
        let value = versioned(text, "sagascope_lessons", "list of lessons", INDEX_VERSION)?;
        let index: LessonIndex = typed(value, "the list of lessons")?;
        if index.lessons.len() > MAX_LESSONS {
            return Err(invalid(
                "lessons",
                format!("at most {MAX_LESSONS} lessons are allowed"),
            ));
        }
        for (i, entry) in index.lessons.iter().enumerate() {
            let place = format!("lesson {}", i + 1);
            check_id(&entry.id, &place)?;
            if index.lessons[..i].iter().any(|e| e.id == entry.id) {
                return Err(invalid(
                    place,
                    format!("the id {:?} is listed twice", entry.id),
                ));
            }
            words(&entry.title, &format!("{place}, title"), MAX_TITLE)?;
            words(&entry.summary, &format!("{place}, summary"), MAX_SUMMARY)?;
            if !(1..=MAX_STOPS).contains(&entry.stops) {
                return Err(invalid(
                    format!("{place}, stops"),
                    format!("a lesson has 1 to {MAX_STOPS} stops"),
                ));
            }
        }
        Ok(index)
    }

    /// The file a lesson of the list is in, relative to the list.
    pub fn file(entry: &IndexEntry) -> String {
        format!("{}.json", entry.id)
    }
}

impl IndexEntry {
    /// The entry that lists `lesson`.
    pub fn of(lesson: &Lesson) -> IndexEntry {
        IndexEntry {
            id: lesson.id.clone(),
            title: lesson.title.clone(),
            summary: lesson.summary.clone(),
            stops: lesson.stops.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_become_sentences() {
        assert_eq!(
            reword("unknown field `explode`, expected one of `say`, `open`"),
            r#"there is no field "explode" here; the fields are say, open"#
        );
        assert_eq!(
            reword("unknown variant `boom`, expected `a` or `b`"),
            r#""boom" is not one of a or b"#
        );
        assert_eq!(
            reword("missing field `say`"),
            r#"the field "say" is missing"#
        );
        assert_eq!(reword("invalid type: `x`"), r#"invalid type: "x""#);
    }
}
