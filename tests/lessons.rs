//! The shipped lessons tell the truth: every file under `public/lessons/` is listed in
//! `index.json` (and the list agrees with the files), reads and validates, and plays through as a
//! student would. Each `open` starts its run; each `pause_at` is reached, at the first matching
//! event after the moment before it; each `do` is carried out as the page does it (a fault
//! picked from the clicked service's menu, a safeguard switched, a cancel, a redrive) and then
//! shows as done; each question is fair (its prompt does not give the answer away) and its right
//! answer is true of the run played on from there, by its typed `check`, which names the answer
//! where it has one to name (the step undone first, the pivot, the steps undone, how many times,
//! the outcome: the right choice says it and no other does); each challenge is not met by the
//! run as it stands and is met once its documented `solution` is played.

use std::collections::BTreeSet;
use std::path::PathBuf;

use sagascope::engine::definition::SagaDefinition;
use sagascope::engine::fault::FaultSpec;
use sagascope::engine::{Outcome, ServiceId};
use sagascope::lesson::{
    pause_point, Action, Challenge, Fact, IndexEntry, Lesson, LessonIndex, LessonRun, Move,
    Progress, StopKind,
};
use sagascope::player::Player;
use sagascope::view::faults::{menu, CHAOS};
use sagascope::view::layout::NodeKey;
use sagascope::view::lesson::operation_label;

fn lessons_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("public/lessons")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(lessons_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn index() -> LessonIndex {
    LessonIndex::from_json(&read("index.json")).expect("index.json is valid")
}

fn shipped() -> Vec<Lesson> {
    index()
        .lessons
        .iter()
        .map(|entry| {
            let file = LessonIndex::file(entry);
            Lesson::from_json(&read(&file)).unwrap_or_else(|e| panic!("{file}: {e}"))
        })
        .collect()
}

/// Plays on as far as the run goes (or to the stop set).
fn play(player: &mut Player) {
    player.advance(f64::from(u32::MAX));
}

/// The part of an answer before its first ':', '(' or ','.
fn head(answer: &str) -> &str {
    answer
        .split([':', '(', ','])
        .next()
        .unwrap_or(answer)
        .trim()
}

/// Whether a choice says what `fact` says, for the facts with an answer to name: the step
/// (undone first, the pivot), the steps undone, how many times, the outcome. `None` for a fact
/// with nothing to name.
fn says(choice: &str, fact: &Fact) -> Option<bool> {
    let choice = choice.to_lowercase();
    let names = |op| operation_label(op).to_lowercase();
    Some(match fact {
        Fact::FirstUndone { step, .. } | Fact::Pivot { step } => choice.contains(&names(*step)),
        Fact::Undone { steps, .. } => {
            let all = SagaDefinition::restaurant().steps;
            let named: BTreeSet<String> = all
                .iter()
                .map(|s| names(s.action))
                .filter(|n| choice.contains(n))
                .collect();
            named == steps.iter().map(|s| names(*s)).collect()
        }
        Fact::Happens { times: Some(n), .. } if *n > 0 => {
            let words = ["once", "twice", "three times", "four times", "five times"];
            let word = words
                .get(usize::try_from(*n).ok()? - 1)
                .map_or_else(|| format!("{n} times"), |w| (*w).to_string());
            choice.contains(&word)
        }
        Fact::SagaEnds { outcome, .. } => choice.contains(match outcome {
            Outcome::Completed => "complete",
            Outcome::Compensated => "compensat",
            Outcome::RollbackIncomplete => "rollback incomplete",
            Outcome::AwaitingPerson => "person",
            Outcome::Running => return None,
        }),
        _ => return None,
    })
}

/// Does what a `do` stop asks, as the page does it.
fn perform(player: Player, action: &Action) -> Player {
    match action {
        Action::Inject {
            fault,
            service,
            step,
        } => {
            let scenario = player.sim().scenario().clone();
            let choice = menu(&scenario, NodeKey::Service(*service))
                .into_iter()
                .find(|c| {
                    c.kind == *fault
                        && step.is_none_or(|op| {
                            c.spec
                                .step_index()
                                .and_then(|i| scenario.definition.steps.get(i))
                                .is_some_and(|s| s.action == op)
                        })
                })
                .unwrap_or_else(|| panic!("{}'s menu has no {fault}", service.label()));
            let mut player = player;
            player.inject(choice.spec).expect("the fault is injected");
            player
        }
        Action::Safeguard { safeguard, on } => player
            .with_safeguard(*safeguard, *on)
            .expect("the run restarts"),
        Action::Cancel { saga } => {
            let mut player = player;
            player.cancel(*saga).expect("cancelled");
            player
        }
        Action::Redrive => {
            let mut player = player;
            player.redrive().expect("redriven");
            player
        }
    }
}

/// Whether some node's fault menu (or the chaos switch) offers exactly this fault.
fn offered(player: &Player, fault: &FaultSpec) -> bool {
    let scenario = player.sim().scenario();
    let nodes = ServiceId::ALL
        .map(NodeKey::Service)
        .into_iter()
        .chain([NodeKey::Orchestrator, NodeKey::Bus]);
    *fault == CHAOS
        || nodes
            .into_iter()
            .any(|n| menu(scenario, n).iter().any(|c| c.spec == *fault))
}

/// Plays one move of a challenge's solution.
fn play_move(player: Player, m: &Move) -> Player {
    let mut player = player;
    match m {
        Move::Wait { until_ms } => {
            let ahead = until_ms.saturating_sub(player.now_ms());
            player.advance(ahead as f64);
            player
        }
        Move::Inject { fault } => {
            assert!(offered(&player, fault), "no menu offers {fault:?}");
            player.inject(fault.clone()).expect("injected");
            player
        }
        Move::Safeguard { safeguard, on } => {
            player.with_safeguard(*safeguard, *on).expect("restarted")
        }
        Move::Cancel { saga } => {
            player.cancel(*saga).expect("cancelled");
            player
        }
        Move::Redrive => {
            player.redrive().expect("redriven");
            player
        }
    }
}

/// Steps the run on until `challenge` is met or the run is over; whether it was met.
fn step_until_met(player: &mut Player, challenge: &Challenge) -> bool {
    loop {
        if challenge.met(player) {
            return true;
        }
        if player.is_settled() || player.step() == 0 {
            return challenge.met(player);
        }
    }
}

/// Plays a lesson through; returns the student's progress at the end.
fn walk(lesson: &Lesson) -> LessonRun {
    let mut run = LessonRun::new(lesson.clone(), None);
    let mut player: Option<Player> = None;
    for (i, stop) in lesson.stops.iter().enumerate() {
        let place = format!("{}, stop {}", lesson.id, i + 1);
        assert_eq!(run.index(), i);
        match stop.kind() {
            StopKind::Talk => {}
            StopKind::Open(open) => {
                player = Some(open.player().unwrap_or_else(|e| panic!("{place}: {e}")));
            }
            StopKind::PauseAt(pattern) => {
                let p = player.as_mut().expect("a run is open");
                let before = p.event_count();
                let pause = pause_point(p, pattern)
                    .unwrap_or_else(|| panic!("{place}: the run never reaches {pattern:?}"));
                p.set_stop(Some(pause.stop_at));
                play(p);
                assert!(p.at_stop(), "{place}: the run did not pause");
                assert_eq!(p.event_count(), pause.stop_at, "{place}");
                let def = p.sim().scenario().definition.clone();
                let trace = p.sim().trace();
                let seq = usize::try_from(pause.seq).expect("small");
                assert!(pattern.matches(&trace[seq], &def), "{place}");
                assert!(
                    trace[usize::try_from(before).expect("small")..seq]
                        .iter()
                        .all(|e| !pattern.matches(e, &def)),
                    "{place}: an earlier event matched"
                );
                p.set_stop(None);
            }
            StopKind::Do(action) => {
                let p = player.take().expect("a run is open");
                assert!(!action.done(&p), "{place}: done before the student acts");
                let p = perform(p, action);
                assert!(action.done(&p), "{place}: the run does not show it done");
                assert!(run.observe(&p), "{place}");
                player = Some(p);
            }
            StopKind::Ask(ask) => {
                let right = &ask.choices[ask.answer];
                let prompt = ask.prompt.to_lowercase();
                assert!(
                    !prompt.contains(&right.to_lowercase()),
                    "{place}: the prompt contains the answer"
                );
                let h = head(right).to_lowercase();
                assert!(
                    h.len() < 6 || !prompt.contains(&h),
                    "{place}: the prompt contains the answer's words {h:?}"
                );
                let check = ask
                    .check
                    .as_ref()
                    .unwrap_or_else(|| panic!("{place}: no check"));
                let mut future = player.clone().expect("a shipped question is about a run");
                play(&mut future);
                assert!(
                    check.holds(future.sim()),
                    "{place}: the right answer is not what the run does ({check:?})"
                );
                for (c, choice) in ask.choices.iter().enumerate() {
                    if let Some(said) = says(choice, check) {
                        assert_eq!(
                            said,
                            c == ask.answer,
                            "{place}: choice {c} ({choice:?}) and the check {check:?}"
                        );
                    }
                }
                assert!(run.answer(ask.answer));
            }
            StopKind::Challenge(challenge) => {
                let p = player.take().expect("a run is open");
                let mut unsolved = p.clone();
                assert!(
                    !step_until_met(&mut unsolved, challenge),
                    "{place}: met without doing anything"
                );
                assert!(!challenge.solution.is_empty(), "{place}: no solution");
                let mut p = challenge.solution.iter().fold(p, play_move);
                assert!(
                    step_until_met(&mut p, challenge),
                    "{place}: the solution does not meet the goal"
                );
                assert!(run.observe(&p), "{place}");
                player = Some(p);
            }
        }
        assert!(run.is_done(i), "{place}: not done");
        run.forward();
    }
    run
}

#[test]
fn the_list_names_every_lesson_file_and_agrees_with_it() {
    let index = index();
    assert!(index.lessons.len() >= 6);
    let listed: BTreeSet<String> = index.lessons.iter().map(LessonIndex::file).collect();
    let files: BTreeSet<String> = std::fs::read_dir(lessons_dir())
        .expect("the folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name != "index.json")
        .collect();
    assert_eq!(listed, files);
    for (entry, lesson) in index.lessons.iter().zip(shipped()) {
        assert_eq!(*entry, IndexEntry::of(&lesson));
        assert_eq!(Lesson::from_json(&lesson.to_json()).as_ref(), Ok(&lesson));
    }
}

#[test]
fn the_lessons_cover_the_course() {
    let ids: Vec<String> = shipped().into_iter().map(|l| l.id).collect();
    for id in [
        "happy-path",
        "compensations",
        "forward-recovery",
        "idempotency",
        "dead-letter-queue",
        "isolation",
    ] {
        assert!(ids.iter().any(|i| i == id), "{id}");
    }
}

#[test]
fn every_lesson_plays_through_truthfully() {
    let mut progress = Progress::new();
    for lesson in shipped() {
        let run = walk(&lesson);
        assert_eq!(run.done_count(), lesson.stops.len(), "{}", lesson.id);
        progress.record(&lesson.id, run.progress());
    }
    // What the student did comes back on the next visit.
    let (again, error) = Progress::from_storage(&progress.to_storage());
    assert_eq!(error, None);
    for lesson in shipped() {
        let n = lesson.stops.len();
        let run = LessonRun::new(lesson.clone(), again.get(&lesson.id));
        assert_eq!(run.done_count(), n, "{}", lesson.id);
    }
}

#[test]
fn every_shipped_question_and_challenge_can_be_checked() {
    for lesson in shipped() {
        for (i, stop) in lesson.stops.iter().enumerate() {
            if let StopKind::Ask(ask) = stop.kind() {
                assert!(ask.check.is_some(), "{}, stop {}", lesson.id, i + 1);
            }
            if let StopKind::Challenge(c) = stop.kind() {
                assert!(c.hint.is_some(), "{}, stop {}: no hint", lesson.id, i + 1);
            }
        }
    }
}
