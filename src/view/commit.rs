//! The alternative drawn: the run's customers booked as distributed transactions under two-phase
//! or three-phase commit ([`crate::engine::commit`]), on the page's clock. A lane per node, an
//! arrow per message, each participant's lock as a bar in its customer's colour (marked while
//! it is in doubt), the coordinator's outage and a partition as bands; below, the figures the
//! comparison with a saga needs and the protocol's guarantees as the trace shows them.

use crate::engine::commit::monitor::{check, figures, CommitFigures, CommitInvariant, TxOutcome};
use crate::engine::commit::CommitEventKind;
use crate::engine::commit::{
    commit_run, saga_failure, saga_under, CommitPlan, CommitScenario, CommitSim, ParticipantState,
    Protocol, SagaFailure, COMMIT_HORIZON_MS, PARTICIPANTS,
};
use crate::engine::definition::ServiceId;
use crate::engine::event::{Event, EventKind, Outcome};
use crate::engine::scenario::Scenario;
use crate::engine::sim::Simulation;
use crate::view::command::Command;
use crate::view::format::seconds;
use crate::view::html::Html;

/// The commit view: its switches, the drawing of the run up to `now_ms`, the figures beside the
/// saga run's own (`saga_trace`, as it stands) and the guarantees.
pub fn commit_html(
    saga: &Scenario,
    saga_trace: &[Event],
    protocol: Protocol,
    plan: CommitPlan,
    now_ms: u64,
) -> String {
    let mut out = Html::with_capacity(16 * 1024);
    out.push(r#"<section class="commit" data-testid="commit-view" data-protocol=""#)
        .push(protocol.as_str())
        .push(r#"" data-plan=""#)
        .push(plan.as_str())
        .push(r#""><div class="commit__switches">"#);
    switches(&mut out, protocol, plan);
    out.push("</div>");
    match commit_run(saga, protocol, plan) {
        Ok(sim) => {
            let trace = sim.trace();
            let count = sim.scenario().requests.len();
            let f = figures(trace, count);
            let broken = check(protocol, trace);
            let entry = match protocol {
                Protocol::TwoPhase => "two-phase-commit",
                Protocol::ThreePhase => "three-phase-commit",
            };
            out.push(r#"<p class="commit__lesson" data-testid="commit-lesson">"#)
                .push_text(&lesson(protocol, &f, &sim))
                .push(r#" <button type="button" class="btn btn--small" "#)
                .push_command(Command::OpenGlossary(Some(entry)))
                .push(r#" data-testid="commit-read-more">"#)
                .push_text(protocol.label())
                .push(" — read more</button></p>");
            svg::svg(&mut out, sim.scenario(), trace, now_ms);
            let (side, failure) = match saga_failure(saga, plan, trace, COMMIT_HORIZON_MS) {
                Some(failure) => (twin_side(saga, &failure), Some(failure)),
                None => (saga_side(saga, saga_trace), None),
            };
            table(
                &mut out,
                protocol,
                plan,
                sim.scenario(),
                &f,
                &side,
                failure.as_ref(),
            );
            guarantees(&mut out, protocol, &broken);
        }
        Err(e) => {
            out.push(r#"<p class="commit__lesson">"#)
                .push_text(&format!("This run cannot be shown as a transaction: {e}"))
                .push("</p>");
        }
    }
    out.push("</section>");
    out.into_string()
}

fn switches(out: &mut Html, protocol: Protocol, plan: CommitPlan) {
    out.push(r#"<div class="views commit__group" role="group" aria-label="Protocol">"#);
    for p in Protocol::ALL {
        let id = format!("commit-protocol-{}", p.as_str());
        switch(
            out,
            Command::CommitProtocol(p),
            &id,
            p == protocol,
            p.label(),
            None,
        );
    }
    out.push(r#"</div><div class="views commit__group" role="group" aria-label="Failure">"#);
    for p in CommitPlan::ALL {
        let id = format!("commit-plan-{}", p.as_str());
        let title = Some(p.description());
        switch(
            out,
            Command::CommitPlan(p),
            &id,
            p == plan,
            p.label(),
            title,
        );
    }
    out.push("</div>");
}

/// One button of a segmented switch, pressed when `on`.
fn switch(
    out: &mut Html,
    command: Command,
    test_id: &str,
    on: bool,
    label: &str,
    title: Option<&str>,
) {
    out.push(r#"<button type="button" class="views__btn"#)
        .push(if on { " views__btn--on" } else { "" })
        .push(r#"" "#)
        .push_command(command)
        .push_attr("data-testid", test_id)
        .push_attr("aria-pressed", if on { "true" } else { "false" });
    if let Some(title) = title {
        out.push_attr("title", title);
    }
    out.push(">").push_text(label).push("</button>");
}

/// What the run teaches, in one sentence or two, from its figures.
fn lesson(protocol: Protocol, f: &CommitFigures, sim: &CommitSim) -> String {
    let scenario = sim.scenario();
    let who = |txn: usize| {
        scenario
            .requests
            .get(txn)
            .map_or("a customer", |r| r.customer.as_str())
            .to_string()
    };
    let first = |outcome| f.outcomes.iter().position(|&o| o == outcome);
    if let Some(txn) = first(TxOutcome::Split) {
        return format!(
            "Split: {}'s booking committed on one side of the partition and aborted on the other. Three-phase commit does not block, but when a partition looks like a crash, each side decides without the other.",
            who(txn)
        );
    }
    if let Some(txn) = first(TxOutcome::Blocked) {
        let waiting: Vec<&str> = PARTICIPANTS
            .into_iter()
            .filter(|&p| sim.state(p, txn) == ParticipantState::Uncertain)
            .map(ServiceId::label)
            .collect();
        let (names, verb) = match waiting.as_slice() {
            [one] => (one.to_string(), "holds its lock"),
            [rest @ .., last] => (
                format!("{} and {last}", rest.join(", ")),
                "hold their locks",
            ),
            [] => ("No participant".to_string(), "holds a lock"),
        };
        return format!(
            "Blocked: {names} voted yes for {}'s booking and may not decide alone; {} {verb} until the decision arrives. This is the price of two-phase commit. A saga holds no locks across services: each step commits locally, so its data is visible (and may be undone) rather than locked.",
            who(txn),
            if waiting.len() == 1 { "it" } else { "they" },
        );
    }
    if let Some(text) = blocked_for_a_while(protocol, sim, &who) {
        return text;
    }
    let notify = "Notification takes no part (an e-mail cannot be rolled back): the customer is told after the commit.";
    match protocol {
        Protocol::TwoPhase => format!("Two-phase commit: prepare, vote, decide, each participant holding its lock from prepare to decision. {notify}"),
        Protocol::ThreePhase => format!("Three-phase commit: a pre-commit round between the votes and the decision lets participants that time out decide without the coordinator. {notify}"),
    }
}

/// 2PC with the coordinator back after its crash: the participants that had voted yes waited
/// in doubt until it came back, and it decided from its log. Read from the trace.
fn blocked_for_a_while(
    protocol: Protocol,
    sim: &CommitSim,
    who: &dyn Fn(usize) -> String,
) -> Option<String> {
    if protocol != Protocol::TwoPhase {
        return None;
    }
    let trace = sim.trace();
    let at = |pick: &dyn Fn(&CommitEventKind) -> bool| {
        trace.iter().find(|e| pick(&e.kind)).map(|e| e.at_ms)
    };
    let crashed = at(&|k| matches!(k, CommitEventKind::CoordinatorCrashed))?;
    let back = at(&|k| matches!(k, CommitEventKind::CoordinatorRecovered))?;
    // The first transaction a participant voted yes for before the crash, and how it ended.
    let (txn, voters) = trace
        .iter()
        .filter(|e| e.at_ms <= crashed)
        .find_map(|e| match e.kind {
            CommitEventKind::Voted { yes: true, .. } => e.txn,
            _ => None,
        })
        .map(|txn| {
            let voters = trace
                .iter()
                .filter(|e| e.txn == Some(txn) && e.at_ms <= crashed)
                .filter(|e| matches!(e.kind, CommitEventKind::Voted { yes: true, .. }))
                .count();
            (txn, voters)
        })?;
    let (logged_at, commit) = trace.iter().find_map(|e| match e.kind {
        CommitEventKind::TxLogged {
            record: crate::engine::commit::LogRecord::Decision { commit },
        } if e.txn == Some(txn) => Some((e.at_ms, commit)),
        _ => None,
    })?;
    let outcome = match (logged_at <= crashed, commit) {
        (true, true) => "finding its decision in its log, it committed",
        (true, false) => "finding its decision in its log, it aborted",
        (false, _) => "finding no decision in its log, it aborted",
    };
    Some(format!(
        "Blocked for {}: {} participant(s) had voted yes for {}'s booking when the coordinator crashed, and waited in doubt, holding their locks, until it came back; {outcome}. A saga under the same crash waits too, but holds no locks: each of its steps has committed locally.",
        seconds(back.saturating_sub(crashed)),
        voters,
        who(txn),
    ))
}

/// The saga of this run under `failure`, run to the horizon on its own (the same customers,
/// seed, faults and commands); as this run goes, if it cannot be run.
fn twin_side(saga: &Scenario, failure: &SagaFailure) -> SagaSide {
    match Simulation::new(saga_under(saga, failure)) {
        Ok(mut twin) => {
            twin.drive(COMMIT_HORIZON_MS);
            let side = saga_side(twin.scenario(), twin.trace());
            SagaSide { twin: true, ..side }
        }
        Err(_) => saga_side(saga, &[]),
    }
}

/// The saga run's side of the comparison, read from its trace as it stands.
struct SagaSide {
    /// Read from the saga run under the same failure (else from this run as it stands).
    twin: bool,
    outcomes: String,
    messages: usize,
    finished_ms: Option<u64>,
    /// From each saga's first change to a service's data until it ended (or until now): how
    /// long the services disagreed about it.
    inconsistent_ms: u64,
}

fn saga_side(saga: &Scenario, trace: &[Event]) -> SagaSide {
    let now = trace.last().map_or(0, |e| e.at_ms);
    let n = saga.sagas.len();
    let mut outcome: Vec<Option<Outcome>> = vec![None; n];
    let mut first_change: Vec<Option<u64>> = vec![None; n];
    let mut ended: Vec<Option<u64>> = vec![None; n];
    let mut messages = 0;
    for e in trace {
        let i = e.saga.filter(|&i| i < n);
        match (&e.kind, i) {
            (EventKind::MessageSent { .. }, _) => messages += 1,
            (EventKind::TaskApplied { changed: true, .. }, Some(i)) => {
                first_change[i].get_or_insert(e.at_ms);
            }
            (EventKind::SagaEnded { outcome: o }, Some(i)) => {
                outcome[i] = Some(*o);
                ended[i] = Some(e.at_ms);
            }
            _ => {}
        }
    }
    let outcomes = saga
        .sagas
        .iter()
        .zip(&outcome)
        .map(|(s, o)| format!("{}: {}", s.customer, o.map_or("running", |o| o.as_str())))
        .collect::<Vec<_>>()
        .join(", ");
    let inconsistent_ms = first_change
        .iter()
        .zip(&ended)
        .filter_map(|(from, to)| from.map(|f| to.unwrap_or(now).saturating_sub(f)))
        .sum();
    SagaSide {
        twin: false,
        outcomes,
        messages,
        finished_ms: ended.iter().flatten().max().copied(),
        inconsistent_ms,
    }
}

fn table(
    out: &mut Html,
    protocol: Protocol,
    plan: CommitPlan,
    scenario: &CommitScenario,
    f: &CommitFigures,
    saga: &SagaSide,
    failure: Option<&SagaFailure>,
) {
    out.push(r#"<table class="commit__figures" data-testid="commit-figures"><thead><tr><td></td><th scope="col">"#)
        .push_text(protocol.label())
        .push(r#"</th><th scope="col">"#)
        .push(if saga.twin {
            "The saga under the same failure"
        } else {
            "The saga, as this run goes"
        })
        .push("</th></tr></thead><tbody>");
    let mut row = |label: &str, value: &str, theirs: &str, key: &'static str| {
        out.push(r#"<tr data-figure=""#)
            .push(key)
            .push(r#""><th scope="row">"#)
            .push_text(label)
            .push(r#"</th><td class="commit__value">"#)
            .push_text(value)
            .push(r#"</td><td class="commit__saga">"#)
            .push_text(theirs)
            .push("</td></tr>");
    };
    let outcomes: Vec<String> = f
        .outcomes
        .iter()
        .zip(&scenario.requests)
        .map(|(o, r)| format!("{}: {}", r.customer, outcome_word(*o)))
        .collect();
    let (theirs, ours) = failure_texts(plan, scenario, failure);
    row("The failure", &theirs, &ours, "failure");
    row("Outcome", &outcomes.join(", "), &saga.outcomes, "outcome");
    row(
        "Messages sent",
        &f.messages.to_string(),
        &saga.messages.to_string(),
        "messages",
    );
    row(
        "Finished at",
        &seconds(f.finished_ms),
        &saga.finished_ms.map_or("not yet".to_string(), seconds),
        "finished",
    );
    let held: Vec<String> = f
        .lock_held_ms
        .iter()
        .map(|(r, ms)| format!("{r} {}", seconds(*ms)))
        .collect();
    row(
        "Locks held",
        &held.join(", "),
        "none: each step commits locally",
        "locks",
    );
    row(
        "Customers waiting for a lock",
        &seconds(f.blocked_ms),
        "none",
        "blocked",
    );
    row(
        "Participants in doubt",
        &seconds(f.in_doubt_ms),
        "none",
        "in-doubt",
    );
    row(
        "Services disagreeing",
        &seconds(f.inconsistent_ms),
        &seconds(saga.inconsistent_ms),
        "inconsistent",
    );
    out.push("</tbody></table>");
}

/// The failure as each side met it: the commit run's, and the saga's counterpart.
fn failure_texts(
    plan: CommitPlan,
    scenario: &CommitScenario,
    failure: Option<&SagaFailure>,
) -> (String, String) {
    let lasting = |f: &SagaFailure| match f.lasts_ms {
        Some(ms) => format!("for {}", seconds(ms)),
        None => "for good".to_string(),
    };
    let theirs = match (plan, failure) {
        (CommitPlan::NoFailure, _) => "none".to_string(),
        (CommitPlan::Partition, Some(f)) => format!(
            "Payment and Calendar cut off at {}, {}",
            seconds(f.at_ms),
            lasting(f)
        ),
        (_, Some(f)) => format!("coordinator down at {}, {}", seconds(f.at_ms), lasting(f)),
        (_, None) => plan.description().to_string(),
    };
    let ours = match failure {
        None if plan == CommitPlan::NoFailure => "none".to_string(),
        None if scenario.requests.is_empty() => "none: no customer".to_string(),
        None => "none: choreography has no coordinator to crash, the services go on".to_string(),
        Some(f) if plan == CommitPlan::Partition => format!(
            "Payment and Calendar out of reach at {}, {}",
            seconds(f.at_ms),
            lasting(f)
        ),
        Some(f) => format!("orchestrator down at {}, {}", seconds(f.at_ms), lasting(f)),
    };
    (theirs, ours)
}

fn outcome_word(outcome: TxOutcome) -> &'static str {
    match outcome {
        TxOutcome::Committed => "committed",
        TxOutcome::Aborted => "aborted",
        TxOutcome::Split => "split (atomicity lost)",
        TxOutcome::Blocked => "blocked, locks held",
        TxOutcome::Undecided => "not decided everywhere",
    }
}

fn guarantees(
    out: &mut Html,
    protocol: Protocol,
    broken: &[crate::engine::commit::monitor::CommitViolation],
) {
    out.push(r#"<ul class="commit__guarantees" data-testid="commit-guarantees">"#);
    for invariant in CommitInvariant::ALL {
        if invariant == CommitInvariant::NoDecidingAlone && protocol == Protocol::ThreePhase {
            continue;
        }
        let first = broken.iter().find(|v| v.invariant == invariant);
        out.push(r#"<li data-holds=""#)
            .push_plain(first.is_none())
            .push(r#"">"#)
            .push(if first.is_none() { "✓ " } else { "✗ " })
            .push_text(invariant.label());
        if let Some(v) = first {
            out.push(": ").push_text(&v.detail);
        }
        out.push("</li>");
    }
    out.push("</ul>");
}

mod svg;

#[cfg(test)]
mod tests;
