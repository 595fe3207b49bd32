//! The guided lesson as markup: the lesson panel (title, "stop k of n", a dot per stop, the
//! talking point, the stop's task and Back / Next) and the chooser listing every lesson with the
//! student's progress; and the words a lesson's typed vocabularies are said in.
//!
//! Its buttons send the lesson's commands ([`Command::LessonNext`] and the others), named
//! through [`Command::attrs`] like every other control.

use crate::engine::commit::CommitPlan;
use crate::engine::definition::{Operation, SagaDefinition};
use crate::engine::event::Outcome;
use crate::engine::message::{saga_letter, Task};
use crate::engine::presets;
use crate::lesson::{
    Action, Ask, Challenge, EventPattern, EventWanted, Fact, LessonIndex, LessonRun, Mark, Open,
    Progress, SafeguardIs, StopKind,
};

use super::command::Command;
use super::format::list;
use super::html::Html;
use super::predict::mark_choice;

/// A step's action or compensation as the page names it ("Charge card", "Refund payment").
pub fn operation_label(op: Operation) -> String {
    let def = SagaDefinition::restaurant();
    let found = def.steps.iter().enumerate().find_map(|(i, s)| {
        if s.action == op {
            Some(Task::Action(i).label(&def))
        } else if s.compensation == Some(op) {
            Some(Task::Compensate(i).label(&def))
        } else {
            None
        }
    });
    match found {
        Some(label) => label,
        None if op == def.failure_notice => Task::FailureNotice.label(&def),
        None => op.as_str().replace('_', " "),
    }
}

fn outcome_words(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Running => "still running",
        Outcome::Completed => "completed",
        Outcome::Compensated => "compensated",
        Outcome::RollbackIncomplete => "rollback incomplete",
        Outcome::AwaitingPerson => "awaiting a person",
    }
}

fn event_words(event: EventWanted) -> &'static str {
    match event {
        EventWanted::SagaStarted => "a saga starts",
        EventWanted::TaskStarted => "a service begins a task",
        EventWanted::TaskApplied => "a service applies a task",
        EventWanted::TaskFailed => "a task fails (a retry may fix it)",
        EventWanted::TimedOut => "the orchestrator gives up waiting for a reply",
        EventWanted::RetryScheduled => "a retry is scheduled",
        EventWanted::StepSucceeded => "a step succeeds",
        EventWanted::StepRefused => "a step is refused (a business failure)",
        EventWanted::CompensationBegun => "compensation begins",
        EventWanted::DuplicateIgnored => "a repeat is recognised and ignored",
        EventWanted::Received => "a message is received from a queue",
        EventWanted::DeadLettered => "a message goes to the dead-letter queue",
        EventWanted::Redriven => "a dead letter is redriven",
        EventWanted::ManualIntervention => "a saga is listed for a person",
        EventWanted::SagaEnded => "a saga ends",
        EventWanted::MessageLost => "a message is lost",
        EventWanted::ServiceDown => "a service goes down",
        EventWanted::ServiceUp => "a service comes back",
        EventWanted::OrchestratorCrashed => "the orchestrator crashes",
        EventWanted::OrchestratorRecovered => "the orchestrator recovers from its log",
        EventWanted::RecordRead => "a shared record is read",
        EventWanted::RecordWritten => "a shared record is written",
        EventWanted::CancelRequested => "the customer cancels",
        EventWanted::PublishLost => "an event is lost between commit and publish",
    }
}

/// What a pause waits for: "a step is refused (a business failure): Charge card, saga B".
pub fn pattern_text(pattern: &EventPattern) -> String {
    let mut about: Vec<String> = Vec::new();
    if let Some(op) = pattern.step {
        about.push(operation_label(op));
    }
    if let Some(service) = pattern.service {
        about.push(format!("at {}", service.label()));
    }
    if let Some(saga) = pattern.saga {
        about.push(format!("saga {}", saga_letter(saga)));
    }
    let mut text = event_words(pattern.event).to_string();
    if let Some(outcome) = pattern.outcome {
        text.push(' ');
        text.push_str(outcome_words(outcome));
    }
    if !about.is_empty() {
        text.push_str(": ");
        text.push_str(&about.join(", "));
    }
    text
}

fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// What the student is asked to do: "Click Payment and pick Business failure".
pub fn action_text(action: &Action) -> String {
    match action {
        Action::Inject {
            fault,
            service,
            step,
        } => {
            let which = match step {
                Some(op) => format!(" for {}", operation_label(*op)),
                None => String::new(),
            };
            format!(
                "Click {} and pick “{}”{which}",
                service.label(),
                fault.label()
            )
        }
        Action::Safeguard { safeguard, on } => format!(
            "Switch {} {} in the shield menu",
            safeguard.label(),
            on_off(*on)
        ),
        Action::Cancel { saga } => format!("Cancel saga {}", saga_letter(*saga)),
        Action::Redrive => "Press Redrive".to_string(),
    }
}

/// A fact as a goal or a claim: "a saga ends rollback incomplete".
pub fn fact_text(fact: &Fact) -> String {
    let whose = |saga: &Option<usize>| match saga {
        Some(s) => format!(" of saga {}", saga_letter(*s)),
        None => String::new(),
    };
    match fact {
        Fact::SagaEnds { outcome, saga } => match saga {
            Some(s) => format!("saga {} ends {}", saga_letter(*s), outcome_words(*outcome)),
            None => format!("a saga ends {}", outcome_words(*outcome)),
        },
        Fact::MoneyDoesNotAddUp => {
            "the money does not add up: the ledger holds more, or less, than the sagas' outcomes say"
                .to_string()
        }
        Fact::PivotOutcomeUnknown => {
            "the pivot's outcome is unknown: the orchestrator waits in vain for its reply".to_string()
        }
        Fact::DeadLetter => "a message reaches the dead-letter queue".to_string(),
        Fact::DoubleBooking => "a slot is held by more sagas than it has tables".to_string(),
        Fact::LostUpdate => {
            "a write wipes out another saga's update of a shared record (a lost update)".to_string()
        }
        Fact::FirstUndone { step, saga } => format!(
            "the first step undone{} is {}",
            whose(saga),
            operation_label(*step)
        ),
        Fact::Undone { steps, saga } => {
            let names: Vec<String> = steps.iter().map(|s| operation_label(*s)).collect();
            format!("the steps undone{} are {}, in that order", whose(saga), list(&names))
        }
        Fact::Pivot { step } => format!("the pivot is {}", operation_label(*step)),
        Fact::CommitBlocks { protocol, failure } => format!(
            "{}, {}: a participant that voted yes is left holding its lock, never told the decision",
            protocol.label(),
            failure_words(*failure)
        ),
        Fact::CommitNoneInDoubt { protocol, failure } => format!(
            "{}, {}: no participant is left in doubt; every one that voted reaches a decision",
            protocol.label(),
            failure_words(*failure)
        ),
        Fact::CommitSplits { protocol, failure } => format!(
            "{}, {}: one participant commits while another aborts",
            protocol.label(),
            failure_words(*failure)
        ),
        Fact::Happens { what, times } => match times {
            Some(0) => format!("never: {}", pattern_text(what)),
            Some(n) => format!("{n} times: {}", pattern_text(what)),
            None => pattern_text(what),
        },
    }
}

fn requires_text(requires: &[SafeguardIs]) -> String {
    let each: Vec<String> = requires
        .iter()
        .map(|r| format!("{} {}", r.safeguard.label(), on_off(r.on)))
        .collect();
    format!("with {}", list(&each))
}

/// The run an `open` stop starts: "Card declined, orchestrated".
pub fn open_text(open: &Open) -> String {
    if let Some(commit) = &open.commit {
        let run = open_text(&Open {
            commit: None,
            ..open.clone()
        });
        return format!(
            "{run}, booked as transactions: {}, {}",
            commit.protocol.label(),
            failure_words(commit.failure)
        );
    }
    if let Some(scenario) = &open.scenario {
        let name = if scenario.name.trim().is_empty() {
            "a scenario of the lesson's own"
        } else {
            scenario.name.as_str()
        };
        return format!("{name}, {}", style_words(scenario.coordination));
    }
    let settings = open.settings();
    let title = settings
        .as_ref()
        .and_then(|s| presets::find(s.preset))
        .map_or("an unknown preset", |p| p.title);
    match settings {
        Some(s) => format!("{title}, {}", style_words(s.coordination)),
        None => title.to_string(),
    }
}

/// The failure a commit run meets, as the lesson panel words it.
fn failure_words(plan: CommitPlan) -> &'static str {
    match plan {
        CommitPlan::NoFailure => "nothing going wrong",
        CommitPlan::CrashAfterVotes => "the coordinator crashing after the votes, back 10 s later",
        CommitPlan::CrashForGood => "the coordinator crashing after the votes, for good",
        CommitPlan::Partition => "a network partition after the votes",
    }
}

fn style_words(style: crate::engine::scenario::Coordination) -> &'static str {
    match style {
        crate::engine::scenario::Coordination::Orchestration => "orchestrated",
        crate::engine::scenario::Coordination::Choreography => "choreographed",
    }
}

/// The lesson panel for the stop shown.
pub fn lesson_html(run: &LessonRun) -> String {
    let lesson = run.lesson();
    let n = run.stop_count();
    let at = run.index();
    let mut out = Html::with_capacity(4096);
    out.push(r#"<section class="lesson" data-testid="lesson" aria-labelledby="lesson-title""#)
        .push_attr("data-lesson", &lesson.id)
        .push(r#"><header class="lesson__head"><h2 class="lesson__title" id="lesson-title">"#)
        .push_text(&lesson.title)
        .push(r#"</h2><span class="lesson__count" data-testid="lesson-stop" aria-live="polite">Stop "#)
        .push_plain(at + 1)
        .push(" of ")
        .push_plain(n)
        .push(r#"</span><button type="button" class="btn btn--icon lesson__close" "#)
        .push_command(Command::LessonClose)
        .push(r#" data-testid="lesson-close" title="Close the lesson" aria-label="Close the lesson">✕</button></header>"#);
    push_dots(&mut out, run);
    if let Some(stop) = run.stop() {
        out.push(r#"<p class="lesson__say" data-testid="lesson-say">"#)
            .push_text(&stop.say)
            .push("</p>");
        let done = run.is_done(at);
        match stop.kind() {
            StopKind::Talk => {}
            StopKind::Open(open) => {
                out.push(r#"<p class="lesson__open" data-testid="lesson-open">Opens: "#)
                    .push_text(&open_text(open))
                    .push("</p>");
            }
            StopKind::PauseAt(pattern) => {
                out.push(r#"<p class="lesson__pause" data-testid="lesson-pause">Play (Space): the run pauses when "#)
                    .push_text(&pattern_text(pattern))
                    .push(".</p>");
            }
            StopKind::Do(action) => push_do(&mut out, action, done),
            StopKind::Ask(ask) => push_ask(&mut out, ask, run.picked(at)),
            StopKind::Challenge(challenge) => push_challenge(&mut out, challenge, done),
        }
    }
    out.push(r#"<footer class="lesson__nav"><button type="button" class="btn lesson__back" "#)
        .push_command(Command::LessonBack)
        .push(
            r#" data-testid="lesson-back" title="Back (PageUp or ,)" aria-keyshortcuts="PageUp ,""#,
        );
    if at == 0 {
        out.push(" disabled");
    }
    out.push(r#">← Back</button><button type="button" class="btn lesson__next" "#)
        .push_command(Command::LessonNext)
        .push(r#" data-testid="lesson-next" title="Next (PageDown or .)" aria-keyshortcuts="PageDown .""#);
    if at + 1 >= n {
        out.push(" disabled");
    }
    out.push(">Next →</button></footer></section>");
    out.into_string()
}

fn push_dots(out: &mut Html, run: &LessonRun) {
    let n = run.stop_count();
    out.push(r#"<ol class="lesson__dots" data-testid="lesson-progress" aria-label=""#)
        .push_plain(run.done_count())
        .push(" of ")
        .push_plain(n)
        .push(r#" stops done">"#);
    for (i, mark) in run.marks().into_iter().enumerate() {
        let state = match mark {
            Mark::Current if run.is_done(i) => "current, done",
            Mark::Current => "current",
            Mark::Done => "done",
            Mark::Todo => "not done yet",
        };
        out.push(r#"<li><button type="button" class="lesson__dot" "#)
            .push_command(Command::LessonGo(i))
            .push(r#" data-state=""#)
            .push(mark.as_str())
            .push(r#"" aria-label="Stop "#)
            .push_plain(i + 1)
            .push(": ")
            .push(state)
            .push(r#"""#);
        if mark == Mark::Current {
            out.push(r#" aria-current="step""#);
        }
        out.push("></button></li>");
    }
    out.push("</ol>");
}

fn push_status(out: &mut Html, done: bool, yes: &'static str, no: &'static str) {
    out.push(r#"<p class="lesson__status">"#)
        .push(if done { yes } else { no })
        .push("</p>");
}

fn push_do(out: &mut Html, action: &Action, done: bool) {
    out.push(r#"<div class="lesson__do" data-testid="lesson-do" data-done=""#)
        .push_plain(done)
        .push(r#""><p><strong>Your turn:</strong> "#)
        .push_text(&action_text(action))
        .push(".</p>");
    push_status(out, done, "✓ Done", "Not done yet");
    out.push("</div>");
}

fn push_ask(out: &mut Html, ask: &Ask, picked: Option<usize>) {
    out.push(r#"<div class="lesson__ask" data-testid="lesson-ask""#);
    if let Some(p) = picked {
        out.push(r#" data-verdict=""#)
            .push(if p == ask.answer { "right" } else { "wrong" })
            .push(r#"""#);
    }
    out.push(r#"><p class="lesson__prompt" id="lesson-prompt">"#)
        .push_text(&ask.prompt)
        .push(r#"</p><ol class="lesson__choices" aria-labelledby="lesson-prompt">"#);
    for (i, choice) in ask.choices.iter().enumerate() {
        out.push(r#"<li><button type="button" class="lesson__choice" "#)
            .push_command(Command::LessonAnswer(i))
            .push(r#" data-testid="lesson-choice-"#)
            .push_plain(i)
            .push(r#"""#);
        let mark = picked.map(|p| match mark_choice(out, i, ask.answer, p) {
            (true, true) => "✓ right: your answer",
            (true, false) => "✓ right",
            (false, true) => "✗ wrong: your answer",
            (false, false) => "",
        });
        out.push(">").push_text(choice);
        if let Some(text) = mark.filter(|t| !t.is_empty()) {
            out.push(r#" <span class="lesson__mark">"#)
                .push(text)
                .push("</span>");
        }
        out.push("</button></li>");
    }
    out.push("</ol>");
    if let Some(p) = picked {
        out.push(r#"<div class="lesson__verdict" aria-live="polite"><p>"#)
            .push(if p == ask.answer {
                "✓ Right."
            } else {
                "✗ Not quite."
            })
            .push(" ")
            .push_text(&ask.why)
            .push("</p></div>");
    }
    out.push("</div>");
}

fn push_challenge(out: &mut Html, challenge: &Challenge, met: bool) {
    out.push(r#"<div class="lesson__challenge" data-testid="lesson-challenge" data-met=""#)
        .push_plain(met)
        .push(r#""><p><strong>Challenge:</strong> make it so that "#)
        .push_text(&fact_text(&challenge.goal));
    if !challenge.requires.is_empty() {
        out.push(", ")
            .push_text(&requires_text(&challenge.requires));
    }
    out.push(".</p>");
    if let Some(hint) = &challenge.hint {
        out.push(r#"<details class="lesson__hint"><summary>Hint</summary><p>"#)
            .push_text(hint)
            .push("</p></details>");
    }
    push_status(out, met, "✓ Met: the engine checked it", "Not met yet");
    out.push("</div>");
}

/// The chooser: every lesson of the list, with the student's progress in it.
pub fn lesson_list_html(index: &LessonIndex, progress: &Progress) -> String {
    let mut out = Html::trusted(r#"<ul class="lesson-list" data-testid="lesson-list">"#);
    for (i, entry) in index.lessons.iter().enumerate() {
        let done = progress
            .get(&entry.id)
            .map_or(0, |p| p.stops_done())
            .min(entry.stops);
        out.push(r#"<li><button type="button" class="lesson-list__item" "#)
            .push_command(Command::LessonOpen(i))
            .push_attr("data-testid", &format!("lesson-open-{}", entry.id))
            .push(r#" data-done=""#)
            .push_plain(done == entry.stops)
            .push(r#""><span class="lesson-list__title">"#)
            .push_text(&entry.title)
            .push(r#"</span><span class="lesson-list__summary">"#)
            .push_text(&entry.summary)
            .push(r#"</span><span class="lesson-list__progress">"#)
            .push_text(&progress_words(done, entry.stops))
            .push("</span></button></li>");
    }
    out.push("</ul>");
    out.into_string()
}

fn progress_words(done: usize, stops: usize) -> String {
    match done {
        0 => format!("Not started · {stops} stops"),
        d if d >= stops => format!("✓ Done · {stops} stops"),
        d => format!("{d} of {stops} stops done"),
    }
}

#[cfg(test)]
mod tests;
