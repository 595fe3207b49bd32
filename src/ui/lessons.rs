//! Guided lessons in the page: the list (an overlay, fetched from `lessons/index.json` the first
//! time it opens), the lesson panel over the narration, what arriving at a stop does to the run
//! (open a preset, play to a pause), the checks after every change of the run, and the
//! student's progress, kept in `localStorage`.
//!
//! A lesson comes from the list, from a link (`?lesson=<id>`) or from a file the teacher opens
//! (the Share menu's import, or a drop: a file with `"sagascope_lesson"` in it is a lesson). A
//! lesson that cannot be read says why in the notice and changes nothing.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::lesson::{pause_point, Lesson, LessonIndex, LessonRun, Open, Progress, StopKind};
use crate::player::Player;
use crate::view::teach::View;

use super::handles::Overlay;
use super::state::Run;

/// Where the progress is kept, with the format's version in it.
pub const KEY: &str = "sagascope.lessons.v1";

/// Where the shipped lessons are served, beside the page.
const FOLDER: &str = "lessons/";

/// The list of lessons, as far as it has come.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Listing {
    /// Not asked for yet.
    #[default]
    NotAsked,
    /// On its way.
    Loading,
    /// Here.
    Ready(LessonIndex),
    /// It could not be had: why.
    Failed(String),
}

/// The lessons' state in the page.
#[derive(Clone, Copy)]
pub struct Lessons {
    /// The list the chooser shows.
    pub listing: RwSignal<Listing>,
    /// The lesson followed, at its stop.
    pub current: RwSignal<Option<LessonRun>>,
    /// What the student has done in each lesson.
    pub progress: RwSignal<Progress>,
    /// The run is held at a pause the lesson asked for (cleared when it plays on).
    pub holding: RwSignal<bool>,
}

impl Lessons {
    /// Empty, with the progress read from storage (a damaged record is dropped and said).
    pub fn new() -> (Lessons, Option<String>) {
        let stored = storage()
            .and_then(|s| s.get_item(KEY).ok().flatten())
            .unwrap_or_default();
        let (progress, problem) = Progress::from_storage(&stored);
        let said = problem.map(|p| {
            if let Some(s) = storage() {
                let _ignored = s.remove_item(KEY);
            }
            format!("Your lesson progress could not be read and starts afresh: {p}.")
        });
        (
            Lessons {
                listing: RwSignal::new(Listing::NotAsked),
                current: RwSignal::new(None),
                progress: RwSignal::new(progress),
                holding: RwSignal::new(false),
            },
            said,
        )
    }
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// Fetches a file served beside the page, as text.
async fn fetch_text(url: String) -> Result<String, String> {
    let response = JsFuture::from(window().fetch_with_str(&url))
        .await
        .map_err(|_| "the network did not answer".to_string())?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| "the answer was not a response".to_string())?;
    if !response.ok() {
        return Err(format!("the server answered {}", response.status()));
    }
    let text = response
        .text()
        .map_err(|_| "the answer had no text".to_string())?;
    JsFuture::from(text)
        .await
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| "the answer was not text".to_string())
}

/// Opens the list of lessons (fetching it the first time), or closes it.
pub fn toggle_list(run: Run, origin: Option<web_sys::Element>) {
    if run.layout.overlay.get_untracked() == Overlay::Lessons {
        run.layout.close_overlay();
        return;
    }
    run.layout.open_overlay(Overlay::Lessons, origin);
    let lessons = run.lessons;
    if matches!(
        lessons.listing.get_untracked(),
        Listing::NotAsked | Listing::Failed(_)
    ) {
        lessons.listing.set(Listing::Loading);
        leptos::task::spawn_local(async move {
            let listing = match fetch_text(format!("{FOLDER}index.json")).await {
                Ok(text) => match LessonIndex::from_json(&text) {
                    Ok(index) => Listing::Ready(index),
                    Err(e) => Listing::Failed(format!("The list of lessons cannot be read: {e}.")),
                },
                Err(e) => Listing::Failed(format!(
                    "The list of lessons could not be fetched: {e}. Reload the page to try again."
                )),
            };
            lessons.listing.set(listing);
        });
    }
}

/// Opens the lesson listed `n`-th.
pub fn open_listed(run: Run, n: usize) {
    let Listing::Ready(index) = run.lessons.listing.get_untracked() else {
        return;
    };
    let Some(entry) = index.lessons.get(n) else {
        return;
    };
    // The list closes at once; the lesson opens when its file has come.
    run.layout.close_overlay();
    open_by_id(run, LessonIndex::file(entry));
}

/// Opens the shipped lesson a link names (`?lesson=<id>`): the list says whether there is one,
/// so a mistyped id is told in words (with the ids there are) rather than fetched in vain.
pub fn open_from_link(run: Run, id: String) {
    let lessons = run.lessons;
    leptos::task::spawn_local(async move {
        let index = match lessons.listing.get_untracked() {
            Listing::Ready(index) => Ok(index),
            _ => match fetch_text(format!("{FOLDER}index.json")).await {
                Ok(text) => LessonIndex::from_json(&text).map_err(|e| e.to_string()),
                Err(e) => Err(e),
            },
        };
        let index = match index {
            Ok(index) => {
                lessons.listing.set(Listing::Ready(index.clone()));
                index
            }
            Err(e) => {
                run.layout.notice.set(Some(format!(
                    "The lesson {id} cannot be opened: the list of lessons could not be had ({e}). The run stays as it was."
                )));
                return;
            }
        };
        match index.lessons.iter().find(|entry| entry.id == id) {
            Some(entry) => open_by_id(run, LessonIndex::file(entry)),
            None => {
                let ids: Vec<String> = index.lessons.iter().map(|e| e.id.clone()).collect();
                run.layout.notice.set(Some(format!(
                    "There is no lesson \"{id}\": the lessons are {}. The run stays as it was.",
                    crate::view::format::list(&ids)
                )));
            }
        }
    });
}

/// Fetches the shipped lesson file `file` (`<id>.json`) and opens it.
pub fn open_by_id(run: Run, file: String) {
    leptos::task::spawn_local(async move {
        match fetch_text(format!("{FOLDER}{file}")).await {
            Ok(text) => open_text(run, &file, &text),
            Err(e) => run.layout.notice.set(Some(format!(
                "The lesson {file} could not be fetched: {e}. The run stays as it was."
            ))),
        }
    });
}

/// Opens a lesson from its file's text; a file that is not a valid lesson is said in the notice
/// and changes nothing.
pub fn open_text(run: Run, name: &str, text: &str) {
    match Lesson::from_json(text) {
        Ok(lesson) => {
            let progress = run
                .lessons
                .progress
                .with_untracked(|p| p.get(&lesson.id).cloned());
            let mut followed = LessonRun::new(lesson, progress.as_ref());
            // A lesson begun before opens where the student left it; a new one at its start.
            let resume = if progress.is_some() {
                followed.resume_at()
            } else {
                0
            };
            // Resuming past the start: the run the lesson had opened by then is opened first.
            let opened = followed
                .lesson()
                .stops
                .iter()
                .take(resume + 1)
                .rev()
                .find_map(|s| match s.kind() {
                    StopKind::Open(open) => Some(open.clone()),
                    _ => None,
                });
            followed.go_to(resume);
            let opens_itself = matches!(followed.stop().map(|s| s.kind()), Some(StopKind::Open(_)));
            run.lessons.current.set(Some(followed));
            if let (Some(open), false) = (opened, opens_itself) {
                open_run(run, &open);
            }
            arrive(run);
            save(run);
            super::focus::focus_later("[data-testid=\"lesson-next\"]".to_string());
        }
        Err(e) => run.layout.notice.set(Some(format!(
            "{name} was not opened as a lesson: {}. The run stays as it was.",
            e
        ))),
    }
}

/// Moves the lesson (`Next`, `Back`, a dot) and carries out the stop arrived at.
pub fn go(run: Run, to: impl FnOnce(&mut LessonRun) -> bool) {
    let moved = run
        .lessons
        .current
        .try_update(|l| l.as_mut().is_some_and(to))
        .unwrap_or(false);
    if moved {
        arrive(run);
        save(run);
    }
}

/// Answers the stop's question.
pub fn answer(run: Run, choice: usize) {
    let taken = run
        .lessons
        .current
        .try_update(|l| l.as_mut().is_some_and(|l| l.answer(choice)))
        .unwrap_or(false);
    if taken {
        save(run);
    }
}

/// Leaves the lesson; the run stays as it is, and plays on freely.
pub fn close(run: Run) {
    save(run);
    run.lessons.current.set(None);
    release(run, true);
}

/// What arriving at the stop shown does: an `open` starts its run; a `pause_at` plays to its
/// event and holds there (unless the run is held there already). Then, when the next stop is a
/// `pause_at`, the run is made to hold at its event, so that Play (Space) goes just that far.
fn arrive(run: Run) {
    let Some((stop, next)) = run.lessons.current.with_untracked(|l| {
        l.as_ref().and_then(|l| {
            let next = l.lesson().stops.get(l.index() + 1).cloned();
            l.stop().cloned().map(|s| (s, next))
        })
    }) else {
        return;
    };
    let held_here = run.lessons.holding.get_untracked() && run.peek(Player::at_stop) == Some(true);
    match stop.kind() {
        StopKind::Open(open) => open_run(run, open),
        StopKind::PauseAt(_) if held_here => {}
        StopKind::PauseAt(pattern) => {
            release(run, true);
            if hold_at(run, pattern) {
                run.clock.playing.set(true);
                return;
            }
            run.layout.notice.set(Some(
                "The run does not come to that moment from here: go back to the stop that opens it (or press Reset), and play again.".to_string(),
            ));
        }
        StopKind::Talk | StopKind::Do(_) | StopKind::Ask(_) | StopKind::Challenge(_) => {}
    }
    if let Some(next) = next {
        if let StopKind::PauseAt(pattern) = next.kind() {
            if !run.lessons.holding.get_untracked() || held_here {
                release(run, true);
                hold_at(run, pattern);
            }
        }
    }
}

/// Opens a stop's run: one style, the saga's diagram, or the 2PC / 3PC view with the protocol
/// and failure the stop names.
fn open_run(run: Run, open: &Open) {
    release(run, true);
    run.set_side_by_side(false);
    let open = open.clone();
    run.replace(|_| open.player());
    match open.commit {
        Some(commit) => {
            run.layout.commit.set((commit.protocol, commit.failure));
            run.layout.view.set(View::Commit);
        }
        None if run.layout.view.get_untracked() == View::Commit => {
            run.layout.view.set(View::Diagram);
        }
        None => {}
    }
}

/// Makes the run hold just after the first event like `pattern` from the moment shown;
/// `false` if it never comes to one.
fn hold_at(run: Run, pattern: &crate::lesson::EventPattern) -> bool {
    let Some(pause) = run.peek(|p| pause_point(p, pattern)).flatten() else {
        return false;
    };
    run.reader
        .player
        .update_value(|p| p.set_stop(Some(pause.stop_at)));
    run.lessons.holding.set(true);
    true
}

/// Lets go of a pause the lesson holds: once the run stands at it (Play or Step goes on from
/// there), or in any case (`always`: the lesson moves elsewhere or ends).
pub fn release(run: Run, always: bool) {
    if !run.lessons.holding.get_untracked() {
        return;
    }
    if always || run.peek(Player::at_stop) == Some(true) {
        run.lessons.holding.set(false);
        run.reader.player.update_value(|p| p.set_stop(None));
    }
}

/// After every change of the run: a `do` taken or a challenge met is recorded.
pub fn observe(run: Run) {
    let Some(changed) = run.reader.player.try_with_value(|p| {
        run.lessons
            .current
            .try_update_untracked(|l| l.as_mut().is_some_and(|l| l.observe(p)))
    }) else {
        return;
    };
    if changed == Some(true) {
        run.lessons.current.notify();
        save(run);
    }
}

/// Keeps the progress of the lesson followed.
fn save(run: Run) {
    let Some((id, progress)) = run
        .lessons
        .current
        .with_untracked(|l| l.as_ref().map(|l| (l.lesson().id.clone(), l.progress())))
    else {
        return;
    };
    run.lessons.progress.update(|p| p.record(&id, progress));
    let text = run.lessons.progress.with_untracked(Progress::to_storage);
    if let Some(s) = storage() {
        // Storage that is full or switched off only means the progress is not kept.
        let _ignored = s.set_item(KEY, &text);
    }
}

/// The chooser's markup, as far as the list has come.
pub fn list_html(run: Run) -> String {
    let listing = run.lessons.listing.get();
    let body = match &listing {
        Listing::Ready(index) => run
            .lessons
            .progress
            .with(|p| crate::view::lesson::lesson_list_html(index, p)),
        Listing::NotAsked | Listing::Loading => {
            r#"<p class="lesson-list__note" role="status">Loading the lessons…</p>"#.to_string()
        }
        Listing::Failed(why) => {
            let mut out =
                crate::view::html::Html::trusted(r#"<p class="lesson-list__note" role="alert">"#);
            out.push_text(why).push("</p>");
            out.into_string()
        }
    };
    format!(
        r#"<section class="overlay lessons" data-testid="lessons" role="dialog" aria-modal="true" aria-labelledby="lessons-title"><header class="overlay__head"><h2 id="lessons-title">Guided lessons</h2><button type="button" class="btn btn--icon" {} data-testid="close-lessons" aria-label="Close the lessons">✕</button></header><p class="lessons__intro">Each lesson walks through one idea with a run: talking points, pauses at the moments that matter, questions, and challenges the engine checks. Next and Back: PageDown and PageUp (or . and ,), as a presenter's clicker sends them.</p>{body}</section>"#,
        crate::view::command::Command::CloseOverlay.attrs()
    )
}
