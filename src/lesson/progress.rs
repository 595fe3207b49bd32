//! What a student has done in each lesson, kept between visits (the page stores it in
//! `localStorage`). The record is small and versioned; a damaged one is never trusted in part:
//! it is dropped and the reason given, so that the page can say so.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{MAX_CHOICES, MAX_STOPS};

/// The progress record's format (the `sagascope_progress` field).
pub const PROGRESS_VERSION: u32 = 1;
/// Largest progress record read, in bytes.
const MAX_PROGRESS_BYTES: usize = 32 * 1024;
/// Most lessons one record keeps.
const MAX_LESSONS: usize = 200;

/// What was done in one lesson, by stop number (from 0).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonProgress {
    /// Stops done that are neither a question nor a challenge.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub done: BTreeSet<usize>,
    /// Challenges met.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub met: BTreeSet<usize>,
    /// Questions answered: the choice picked.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub picked: BTreeMap<usize, usize>,
}

impl LessonProgress {
    /// How many stops are done (of any kind).
    pub fn stops_done(&self) -> usize {
        self.done.len() + self.met.len() + self.picked.len()
    }

    fn check(&self) -> Result<(), String> {
        let stop = |i: &usize| *i < MAX_STOPS;
        let all_stops =
            self.done.iter().all(stop) && self.met.iter().all(stop) && self.picked.keys().all(stop);
        if !all_stops {
            return Err(format!("a stop number is not below {MAX_STOPS}"));
        }
        if self.picked.values().any(|c| *c >= MAX_CHOICES) {
            return Err(format!("an answer is not below {MAX_CHOICES}"));
        }
        Ok(())
    }
}

/// Every lesson's progress, by lesson id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    lessons: BTreeMap<String, LessonProgress>,
}

/// Why a stored progress record was dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProgressError {
    /// Larger than any record this code writes.
    #[error("the lessons' progress was {0} bytes, too large to be ours")]
    TooLarge(usize),
    /// Not the JSON this code writes.
    #[error("the lessons' progress was damaged ({0})")]
    Damaged(String),
    /// Written by another version.
    #[error("the lessons' progress was written by another version of Sagascope (version {0})")]
    Version(u64),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    sagascope_progress: u32,
    #[serde(default)]
    lessons: BTreeMap<String, LessonProgress>,
}

impl Progress {
    /// No progress.
    pub fn new() -> Progress {
        Progress::default()
    }

    /// The progress of lesson `id`, if any was kept.
    pub fn get(&self, id: &str) -> Option<&LessonProgress> {
        self.lessons.get(id)
    }

    /// Keeps `progress` as lesson `id`'s (an empty one is forgotten).
    pub fn record(&mut self, id: &str, progress: LessonProgress) {
        if progress == LessonProgress::default() {
            self.lessons.remove(id);
        } else {
            self.lessons.insert(id.to_string(), progress);
        }
    }

    /// Forgets lesson `id`'s progress.
    pub fn forget(&mut self, id: &str) {
        self.lessons.remove(id);
    }

    /// The record to store.
    pub fn to_storage(&self) -> String {
        serde_json::to_string(&Stored {
            sagascope_progress: PROGRESS_VERSION,
            lessons: self.lessons.clone(),
        })
        .unwrap_or_default()
    }

    /// Reads a stored record. A damaged, foreign or future one gives no progress and says why;
    /// an empty text (nothing stored yet) gives no progress and no complaint.
    pub fn from_storage(text: &str) -> (Progress, Option<ProgressError>) {
        if text.trim().is_empty() {
            return (Progress::new(), None);
        }
        match Progress::read(text) {
            Ok(progress) => (progress, None),
            Err(e) => (Progress::new(), Some(e)),
        }
    }

    fn read(text: &str) -> Result<Progress, ProgressError> {
        if text.len() > MAX_PROGRESS_BYTES {
            return Err(ProgressError::TooLarge(text.len()));
        }
        let damaged = |e: serde_json::Error| {
            let message = e.to_string();
            ProgressError::Damaged(
                message
                    .split(" at line ")
                    .next()
                    .unwrap_or_default()
                    .replace('`', "\""),
            )
        };
        let value: serde_json::Value = serde_json::from_str(text).map_err(damaged)?;
        match value
            .get("sagascope_progress")
            .map(serde_json::Value::as_u64)
        {
            Some(Some(v)) if v == u64::from(PROGRESS_VERSION) => {}
            Some(Some(v)) => return Err(ProgressError::Version(v)),
            _ => return Err(ProgressError::Damaged("it has no version".to_string())),
        }
        let stored: Stored = serde_json::from_value(value).map_err(damaged)?;
        if stored.lessons.len() > MAX_LESSONS {
            return Err(ProgressError::Damaged(format!(
                "more than {MAX_LESSONS} lessons"
            )));
        }
        for (id, p) in &stored.lessons {
            if !super::read::is_lesson_id(id) {
                return Err(ProgressError::Damaged(format!("{id:?} is not a lesson id")));
            }
            p.check()
                .map_err(|why| ProgressError::Damaged(format!("lesson {id:?}: {why}")))?;
        }
        Ok(Progress {
            lessons: stored.lessons,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Progress {
        let mut p = Progress::new();
        p.record(
            "happy-path",
            LessonProgress {
                done: [0, 1, 2].into(),
                met: [5].into(),
                picked: [(3, 1)].into(),
            },
        );
        p.record("isolation", LessonProgress::default());
        p
    }

    #[test]
    fn a_record_reads_back_as_written_and_stays_small() {
        let p = sample();
        let text = p.to_storage();
        assert_eq!(
            text,
            r#"{"sagascope_progress":1,"lessons":{"happy-path":{"done":[0,1,2],"met":[5],"picked":{"3":1}}}}"#
        );
        assert_eq!(Progress::from_storage(&text), (p.clone(), None));
        assert_eq!(p.get("happy-path").map(LessonProgress::stops_done), Some(5));
        assert_eq!(p.get("isolation"), None, "an empty progress is not kept");
        assert_eq!(Progress::from_storage(""), (Progress::new(), None));
    }

    #[test]
    fn a_damaged_record_gives_no_progress_and_says_why() {
        let cases = [
            (
                r#"{"sagascope_progress":1,"lessons":{"a":{"done":[0,1"#,
                "damaged",
            ),
            ("not json", "damaged"),
            (r#"{"lessons":{}}"#, "no version"),
            (r#"{"sagascope_progress":2}"#, "version 2"),
            (r#"{"sagascope_progress":"1"}"#, "no version"),
            (r#"{"sagascope_progress":1,"extra":true}"#, "extra"),
            (
                r#"{"sagascope_progress":1,"lessons":{"A B":{}}}"#,
                "not a lesson id",
            ),
            (
                r#"{"sagascope_progress":1,"lessons":{"a":{"done":[40]}}}"#,
                "stop number",
            ),
            (
                r#"{"sagascope_progress":1,"lessons":{"a":{"picked":{"1":9}}}}"#,
                "answer",
            ),
            (
                r#"{"sagascope_progress":1,"lessons":{"a":{"done":[-1]}}}"#,
                "damaged",
            ),
            (r#"[1,2]"#, "no version"),
        ];
        for (text, why) in cases {
            let (p, error) = Progress::from_storage(text);
            assert_eq!(p, Progress::new(), "{text}");
            let message = error.map(|e| e.to_string()).unwrap_or_default();
            assert!(message.contains(why), "{text}: {message}");
        }
        let big = " ".repeat(MAX_PROGRESS_BYTES) + "{}";
        assert!(matches!(
            Progress::from_storage(&big).1,
            Some(ProgressError::TooLarge(_))
        ));
    }

    #[test]
    fn forgetting_a_lesson_drops_it() {
        let mut p = sample();
        p.forget("happy-path");
        assert_eq!(p, Progress::new());
    }
}
