use super::*;
use crate::engine::commit::commit_scenario;
use crate::engine::event::EventKind;
use crate::engine::presets;
use crate::engine::scenario::{Coordination, SagaSpec, Storage};

fn two_customers() -> Scenario {
    let mut s = Scenario::new(vec![
        SagaSpec::new("Ada", "Fri 19:30"),
        SagaSpec {
            start_ms: 300,
            ..SagaSpec::new("Grace", "Fri 19:30")
        },
    ]);
    s.coordination = Coordination::Orchestration;
    s
}

/// The saga column's figure `key`.
fn saga_figure(html: &str, key: &str) -> String {
    let at = html
        .find(&format!(r#"data-figure="{key}""#))
        .expect("the figure is shown");
    let open = r#"<td class="commit__saga">"#;
    let td = html[at..].find(open).expect("a value") + at + open.len();
    let end = html[td..].find("</td>").expect("closed") + td;
    html[td..end].to_string()
}

/// Seconds as the view writes them ("10.00 s"), read back in ms.
fn ms_of(text: &str) -> u64 {
    let number = text.trim_end_matches(" s");
    let (whole, cents) = number.split_once('.').expect("seconds with cents");
    whole.parse::<u64>().expect("whole") * 1000 + cents.parse::<u64>().expect("cents") * 10
}

fn figure<'a>(html: &'a str, key: &str) -> &'a str {
    let at = html
        .find(&format!(r#"data-figure="{key}""#))
        .expect("the figure is shown");
    let open = r#"<td class="commit__value">"#;
    let td = html[at..].find(open).expect("a value") + at + open.len();
    let end = html[td..].find("</td>").expect("closed") + td;
    &html[td..end]
}

#[test]
fn the_customers_of_the_run_become_the_transactions() {
    let s = commit_scenario(&two_customers(), Protocol::TwoPhase, CommitPlan::NoFailure);
    assert_eq!(s.requests.len(), 2);
    assert_eq!(s.requests[1].customer, "Grace");
    assert_eq!(s.requests[1].start_ms, 300);
    assert!(s.faults.is_empty());
    for plan in CommitPlan::ALL {
        for protocol in Protocol::ALL {
            let s = commit_scenario(&two_customers(), protocol, plan);
            assert_eq!(s.faults.is_empty(), plan == CommitPlan::NoFailure);
            assert!(s.validate().is_ok(), "{plan:?} {protocol:?}");
        }
    }
}

#[test]
fn a_crash_after_the_votes_blocks_two_phase_commit_and_the_view_says_so() {
    let html = commit_html(
        &two_customers(),
        &[],
        Protocol::TwoPhase,
        CommitPlan::CrashForGood,
        0,
    );
    assert!(
        html.contains("Blocked: Reservation, Payment and Calendar voted yes for Ada&#39;s booking"),
        "{html}"
    );
    // Cut off after the votes, only the two on the far side wait.
    let cut = commit_html(
        &two_customers(),
        &[],
        Protocol::TwoPhase,
        CommitPlan::Partition,
        0,
    );
    assert!(
        cut.contains("Blocked: Payment and Calendar voted yes"),
        "{cut}"
    );
    assert!(figure(&html, "outcome").contains("Ada: blocked, locks held"));
    assert!(
        html.contains("commit__lock commit__lock--held"),
        "a lock held to the end"
    );
    assert!(html.contains("commit__down"), "the outage is drawn");
    // Grace waits for Ada's slot: her wait is drawn and counted.
    assert!(html.contains("commit__wait"));
    assert_ne!(figure(&html, "blocked"), "0.00 s");
    // Blocking breaks no guarantee.
    assert!(!html.contains(r#"data-holds="false""#));
    // The locks stay held as the page's clock runs on: the drawing grows with it.
    let later = commit_html(
        &two_customers(),
        &[],
        Protocol::TwoPhase,
        CommitPlan::CrashForGood,
        20_000,
    );
    assert!(!html.contains("20.00 s") && later.contains("20.00 s"));
    // The same failure, back in 10 s: presumed abort, nothing held at the end.
    let back = commit_html(
        &two_customers(),
        &[],
        Protocol::TwoPhase,
        CommitPlan::CrashAfterVotes,
        0,
    );
    assert!(!back.contains("commit__lock--held"));
    assert!(figure(&back, "outcome").contains("Ada: aborted"));
}

#[test]
fn a_partition_splits_three_phase_commit_and_the_guarantee_is_shown_broken() {
    let html = commit_html(
        &two_customers(),
        &[],
        Protocol::ThreePhase,
        CommitPlan::Partition,
        0,
    );
    assert!(html.contains("Split:"), "{html}");
    assert!(figure(&html, "outcome").contains("Ada: split"));
    assert!(html.contains(r#"data-holds="false""#));
    assert!(html.contains("commit__partition"));
    // 3PC has no "deciding alone" guarantee to show.
    assert!(!html.contains(CommitInvariant::NoDecidingAlone.label()));
}

#[test]
fn with_no_failure_both_commit_and_three_phase_sends_more() {
    let two = commit_html(
        &two_customers(),
        &[],
        Protocol::TwoPhase,
        CommitPlan::NoFailure,
        0,
    );
    let three = commit_html(
        &two_customers(),
        &[],
        Protocol::ThreePhase,
        CommitPlan::NoFailure,
        0,
    );
    for html in [&two, &three] {
        assert!(figure(html, "outcome").contains("Ada: committed, Grace: committed"));
        assert!(html.contains("Notification takes no part"));
    }
    let messages = |h: &str| figure(h, "messages").parse::<u32>().expect("a count");
    assert!(messages(&three) > messages(&two));
}

#[test]
fn the_switches_send_their_commands_and_mark_the_chosen_one() {
    let html = commit_html(
        &two_customers(),
        &[],
        Protocol::ThreePhase,
        CommitPlan::Partition,
        0,
    );
    for p in Protocol::ALL {
        assert!(html.contains(&Command::CommitProtocol(p).attrs()));
    }
    for plan in CommitPlan::ALL {
        assert!(html.contains(&Command::CommitPlan(plan).attrs()));
    }
    assert!(html.contains(r#"data-testid="commit-protocol-3pc" aria-pressed="true""#));
    assert!(html.contains(r#"data-testid="commit-plan-partition" aria-pressed="true""#));
    assert!(html.contains(r#"data-testid="commit-plan-none" aria-pressed="false""#));
}

#[test]
fn the_now_line_follows_the_clock() {
    let early = commit_html(
        &two_customers(),
        &[],
        Protocol::TwoPhase,
        CommitPlan::NoFailure,
        100,
    );
    let later = commit_html(
        &two_customers(),
        &[],
        Protocol::TwoPhase,
        CommitPlan::NoFailure,
        1_500,
    );
    assert!(early.contains("commit__now") && later.contains("commit__now"));
    assert_ne!(early, later);
}

#[test]
fn hostile_names_stay_text() {
    let mut s = two_customers();
    s.sagas[0].customer = r#"<img src=x onerror="a">"#.to_string();
    let html = commit_html(&s, &[], Protocol::TwoPhase, CommitPlan::CrashForGood, 0);
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;img"));
}

#[test]
fn every_preset_can_be_shown_as_transactions() {
    for preset in presets::PRESETS.iter() {
        for style in [Coordination::Orchestration, Coordination::Choreography] {
            let Some(s) = presets::scenario(preset.id, style, Storage::PerService, 0) else {
                continue;
            };
            let html = commit_html(&s, &[], Protocol::TwoPhase, CommitPlan::NoFailure, 0);
            assert!(html.contains("commit-figures"), "{}", preset.id);
        }
    }
}

#[test]
fn the_saga_of_this_run_stands_beside_the_transactions() {
    let scenario = two_customers();
    let mut sim = crate::engine::Simulation::new(scenario.clone()).expect("valid");
    sim.advance_to(60_000);
    let html = commit_html(
        &scenario,
        sim.trace(),
        Protocol::TwoPhase,
        CommitPlan::NoFailure,
        0,
    );
    assert!(html.contains("The saga, as this run goes"), "{html}");
    let saga = |key: &str| saga_figure(&html, key);
    assert_eq!(saga("failure"), "none");
    // Ada and Grace both ask for Fri 19:30: the saga books one and compensates the other.
    assert_eq!(saga("outcome"), "Ada: completed, Grace: compensated");
    let sent = sim
        .trace()
        .iter()
        .filter(|e| matches!(e.kind, EventKind::MessageSent { .. }))
        .count();
    assert_eq!(saga("messages"), sent.to_string());
    assert_eq!(saga("locks"), "none: each step commits locally");
    assert_ne!(saga("inconsistent"), "0.00 s");
    // Before the run has begun, the saga has nothing to show yet.
    let empty = commit_html(&scenario, &[], Protocol::TwoPhase, CommitPlan::NoFailure, 0);
    assert!(empty.contains("Ada: running, Grace: running"));
}

#[test]
fn the_lesson_links_to_the_protocol_s_glossary_entry() {
    for (protocol, id) in [
        (Protocol::TwoPhase, "two-phase-commit"),
        (Protocol::ThreePhase, "three-phase-commit"),
    ] {
        let html = commit_html(&two_customers(), &[], protocol, CommitPlan::NoFailure, 0);
        assert!(
            html.contains(&Command::OpenGlossary(Some(id)).attrs()),
            "{id}"
        );
        assert!(
            crate::view::glossary::find(id).is_some(),
            "{id} is in the glossary"
        );
    }
}

#[test]
fn under_a_coordinator_crash_the_saga_meets_an_orchestrator_crash_at_the_same_moment() {
    let scenario = two_customers();
    let mut own = crate::engine::Simulation::new(scenario.clone()).expect("valid");
    own.advance_to(60_000);
    let html = commit_html(
        &scenario,
        own.trace(),
        Protocol::TwoPhase,
        CommitPlan::CrashAfterVotes,
        0,
    );
    assert!(html.contains("The saga under the same failure"), "{html}");
    // The same moment and length on both sides.
    let theirs = figure(&html, "failure").to_string();
    let ours = saga_figure(&html, "failure");
    let moment = |text: &str| {
        let at = text.split(" at ").nth(1).expect("a moment");
        ms_of(at.split(", ").next().expect("a time"))
    };
    assert!(theirs.starts_with("coordinator down at "), "{theirs}");
    assert!(ours.starts_with("orchestrator down at "), "{ours}");
    assert!(
        theirs.ends_with("for 10.00 s") && ours.ends_with("for 10.00 s"),
        "{theirs} / {ours}"
    );
    let crash = moment(&theirs);
    assert_eq!(moment(&ours), crash);
    // The saga waits out the crash, then finishes as it would have: later than this run did.
    // (Who gets the one table may change: both sagas restart from the log.)
    let outcome = saga_figure(&html, "outcome");
    assert!(
        outcome.contains(": completed") && outcome.contains(": compensated"),
        "{outcome}"
    );
    let own_end = own.trace().last().expect("events").at_ms;
    let finished = ms_of(&saga_figure(&html, "finished"));
    assert!(
        finished >= crash + 10_000,
        "{finished} after a crash at {crash}"
    );
    assert!(finished > own_end, "{finished} vs {own_end}");

    // The lesson says how long the participants waited in doubt, and what the log decided.
    assert!(
        html.contains("Blocked for 10.00 s: 3 participant(s) had voted yes for Ada&#39;s booking when the coordinator crashed"),
        "{html}"
    );
    assert!(
        html.contains("finding no decision in its log, it aborted"),
        "{html}"
    );
    // Never back: the saga stops too, holding no lock.
    let never = commit_html(
        &scenario,
        own.trace(),
        Protocol::TwoPhase,
        CommitPlan::CrashForGood,
        0,
    );
    assert!(saga_figure(&never, "failure").ends_with("for good"));
    assert!(
        saga_figure(&never, "outcome").contains("running"),
        "{never}"
    );
    assert_eq!(saga_figure(&never, "finished"), "not yet");
    assert_eq!(
        saga_figure(&never, "locks"),
        "none: each step commits locally"
    );
}

#[test]
fn a_choreographed_saga_has_no_coordinator_to_crash_but_meets_the_partition() {
    let mut scenario = two_customers();
    scenario.coordination = Coordination::Choreography;
    let crash = commit_html(
        &scenario,
        &[],
        Protocol::TwoPhase,
        CommitPlan::CrashAfterVotes,
        0,
    );
    assert!(crash.contains("The saga, as this run goes"), "{crash}");
    assert!(saga_figure(&crash, "failure").starts_with("none: choreography has no coordinator"));
    let cut = commit_html(
        &scenario,
        &[],
        Protocol::ThreePhase,
        CommitPlan::Partition,
        0,
    );
    assert!(cut.contains("The saga under the same failure"), "{cut}");
    let ours = saga_figure(&cut, "failure");
    assert!(
        ours.starts_with("Payment and Calendar out of reach at "),
        "{ours}"
    );
    assert!(ours.ends_with("for good"), "{ours}");
    assert!(saga_figure(&cut, "outcome").contains("running"), "{cut}");
}
