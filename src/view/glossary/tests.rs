//! Tests of `glossary`.

use super::*;
use crate::engine::presets;
use crate::engine::scenario::{Coordination, Storage};
use crate::engine::sim::Simulation;
use crate::view::html::{lines, narrated, narration_html};

const IDEAS: [Idea; 30] = Idea::ALL;

#[test]
fn every_idea_has_its_own_entry() {
    for idea in IDEAS {
        let entry = find(idea_id(idea));
        assert!(entry.is_some(), "{idea:?} has no entry");
        assert_eq!(for_idea(idea).id, idea_id(idea));
    }
    let mut ids: Vec<&str> = IDEAS.iter().map(|i| idea_id(*i)).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), IDEAS.len(), "two ideas share an entry");
}

#[test]
fn every_term_the_issue_asks_for_is_there() {
    for id in [
        "saga",
        "compensatable-step",
        "pivot-step",
        "retriable-step",
        "forward-recovery",
        "backward-recovery",
        "idempotent-consumer",
        "transactional-outbox",
        "dead-letter-queue",
        "semantic-lock",
        "at-least-once-delivery",
        "two-phase-commit",
        "lost-update",
        "dirty-read",
        "fuzzy-read",
        "commutative-updates",
        "reread-value",
        "pessimistic-view",
        "by-value",
        "version-file",
        "acd",
        "saga-execution-coordinator",
        "step-functions-retry",
        "poison-message",
        "redrive",
        "fifo-ordering",
        "exactly-once-processing",
        "outbox-relay",
        "late-action",
        "eventual-consistency",
        "task-token",
        "fan-out",
        "visibility-timeout",
        "cancellation",
        "three-phase-commit",
    ] {
        assert!(find(id).is_some(), "{id} missing");
    }
    assert!(find("nope").is_none());
}

#[test]
fn entries_are_unique_short_and_sourced() {
    let mut ids: Vec<&str> = ENTRIES.iter().map(|e| e.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), ENTRIES.len(), "duplicate ids");
    for e in ENTRIES {
        assert!(!e.sources.is_empty(), "{} has no source", e.id);
        assert!(
            e.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{} is not a plain id",
            e.id
        );
        let sentences = e.text.matches(". ").count() + 1;
        assert!(
            (2..=4).contains(&sentences),
            "{}: {sentences} sentences",
            e.id
        );
        assert!(e.text.ends_with('.'), "{}", e.id);
        for s in e.sources {
            assert!(!s.title.is_empty() && !s.detail.is_empty(), "{}", e.id);
            if let Some(url) = s.url {
                assert!(url.starts_with("https://"), "{url}");
            }
        }
    }
    assert!(ENTRIES
        .iter()
        .any(|e| e.sources.iter().any(|s| s.detail.contains("pp. 249–259"))));
}

#[test]
fn the_panel_lists_every_entry_and_marks_the_selected_one() {
    let html = glossary_html(Some("pivot-step"));
    assert!(html.contains(
        r#"data-testid="glossary" role="dialog" aria-modal="true" aria-label="Glossary""#
    ));
    assert!(html.contains(r#"data-action="close-overlay""#));
    assert_eq!(
        html.matches("<section id=\"glossary-").count(),
        ENTRIES.len()
    );
    for e in ENTRIES {
        assert!(html.contains(&format!(r#"id="glossary-{0}""#, e.id)));
        assert!(html.contains(&format!(r#"data-term="{}""#, e.id)));
    }
    assert_eq!(html.matches(r#"aria-current="true""#).count(), 1);
    assert!(html.contains(r#"<section id="glossary-pivot-step" class="glossary__entry glossary__entry--selected" data-term="pivot-step" aria-current="true">"#));
    let links = html.matches("<a href=").count();
    let with_url = ENTRIES
        .iter()
        .flat_map(|e| e.sources)
        .filter(|s| s.url.is_some())
        .count();
    assert_eq!(links, with_url);
    assert_eq!(
        html.matches(r#"target="_blank" rel="noopener""#).count(),
        links
    );
    assert!(html.contains("“Sagas”"));
    assert!(!glossary_html(None).contains("aria-current"));
    assert!(!glossary_html(Some("nope")).contains("aria-current"));
}

#[test]
fn every_narrated_event_links_to_an_entry() {
    let mut linked = std::collections::BTreeSet::new();
    for preset in [
        "happy-path",
        "card-declined",
        "slot-taken",
        "notifier-down",
        "transient-payment",
        "ambiguous-payment",
        "duplicate-event",
        "poison-redrive",
        "compensation-fails",
        "cancel-after-completion",
        "slow-payment",
    ] {
        for c in [Coordination::Orchestration, Coordination::Choreography] {
            let scenario = presets::scenario(preset, c, Storage::PerService, 1).unwrap();
            let mut sim = Simulation::new(scenario).unwrap();
            sim.drive(600_000);
            let all = lines(&sim);
            let mut narrated_ideas = 0;
            for line in &all {
                let html = narration_html(narrated(&all, Some(line.seq)), true, sim.scenario());
                let Some(idea) = line.story.idea else {
                    assert!(!html.contains(r#"data-action="glossary""#));
                    continue;
                };
                narrated_ideas += 1;
                let entry = for_idea(idea);
                let button = format!(r#"data-action="glossary" data-term="{}""#, entry.id);
                assert!(html.contains(&button), "{preset}: {html}");
                assert_eq!(html.matches(r#"data-action="glossary""#).count(), 1);
                let term = html
                    .split(r#"data-term=""#)
                    .nth(1)
                    .and_then(|t| t.split('"').next())
                    .unwrap();
                assert!(find(term).is_some(), "{term}");
                linked.insert(term.to_string());
            }
            assert!(narrated_ideas > 5, "{preset} {c:?}");
        }
    }
    for id in [
        "compensation",
        "pivot-step",
        "orchestration",
        "choreography",
        "transactional-outbox",
        "dead-letter-queue",
    ] {
        assert!(linked.contains(id), "{id} never linked: {linked:?}");
    }
}

/// The entry's text (the test fails if the entry is missing).
fn text(id: &str) -> &'static str {
    find(id).unwrap_or_else(|| panic!("{id} missing")).text
}

/// A duration as the glossary writes it: "400 ms", "2 s", "2.5 s".
fn duration(ms: u64) -> String {
    match ms {
        ms if ms < 1_000 => format!("{ms} ms"),
        ms if ms % 1_000 == 0 => format!("{} s", ms / 1_000),
        ms => format!("{} s", ms as f64 / 1_000.0),
    }
}

#[test]
fn no_entry_repeats_a_corrected_mistake() {
    // Each of these was once in the glossary and is wrong by the literature or by the engine.
    let wrong = [
        // Compensation is a semantic undo: the ledger keeps CHARGED and REFUNDED.
        "as if the saga had never run",
        // SQS deletes a message at the end of its retention period.
        "no message is lost",
        // A poison message does not block a standard queue.
        "stops blocking",
        "so it stops blocking the others",
        // Backoff grows up to a cap, and jitter may shorten a wait.
        "grows each time",
        // A step may be sent again; it does not take effect twice.
        "redone twice",
        // Compensations give up after their attempts and wait for a person.
        "until they succeed",
        "compensations are retried until",
        // A semantic lock is a PENDING flag, not the committed booking.
        "a slot hold",
        // Only in-doubt participants are blocked.
        "are blocked if the coordinator fails",
        // The task token matches a reply to its attempt: it is not idempotency.
        "the token makes it idempotent",
    ];
    for e in ENTRIES {
        let lower = e.text.to_lowercase();
        for phrase in wrong {
            assert!(!lower.contains(phrase), "{} says “{phrase}”", e.id);
        }
    }
    for note in MODEL_NOTES {
        let lower = note.to_lowercase();
        for phrase in wrong {
            assert!(!lower.contains(phrase), "a model note says “{phrase}”");
        }
    }
    for id in ["compensation", "backward-recovery", "manual-intervention"] {
        let lower = text(id).to_lowercase();
        assert!(!lower.contains("until it succeeds"), "{id}");
        assert!(!lower.contains("until they succeed"), "{id}");
    }
}

#[test]
fn the_corrected_entries_say_what_the_literature_says() {
    let has = |id: &str, words: &[&str]| {
        let t = text(id);
        for w in words {
            assert!(t.contains(w), "{id} should say “{w}”: {t}");
        }
    };
    has(
        "semantic-lock",
        &[
            "_PENDING",
            "APPROVAL_PENDING",
            "compensatable transaction",
            "retriable transaction",
            "not the saga's effect",
            "gift card",
        ],
    );
    has(
        "backward-recovery",
        &["semantic undo", "CHARGED", "REFUNDED", "both parties"],
    );
    has(
        "at-least-once-delivery",
        &["retention period", "4 days", "14 days", "second copy"],
    );
    has(
        "dead-letter-queue",
        &[
            "does not hold up the others",
            "FIFO",
            "message group",
            "maxReceiveCount",
        ],
    );
    has(
        "retry-backoff",
        &[
            "cap",
            "Jitter",
            "shorter than the last",
            "BackoffRate",
            "MaxDelaySeconds",
            "JitterStrategy (FULL)",
        ],
    );
    has("durable-log", &["sent again", "nothing takes effect twice"]);
    has(
        "two-phase-commit",
        &["voted yes", "in doubt", "voted no", "not blocked"],
    );
    has(
        "cancellation",
        &[
            "Before the pivot",
            "pivot may have taken effect",
            "it completes",
            "after completion",
        ],
    );
    has(
        "task-token",
        &["correlation id", "stale", "not idempotency"],
    );
    has("fan-out", &["Publish/subscribe", "every queue subscribed"]);
    has("compensation", &["rollback incomplete"]);
    has("manual-intervention", &["rollback incomplete", "Redrive"]);
    has(
        "acd",
        &[
            "ACD",
            "lost updates",
            "dirty reads",
            "fuzzy reads",
            "semantic lock",
            "commutative updates",
            "pessimistic view",
            "reread value",
            "version file",
            "by value",
        ],
    );
    has(
        "saga-execution-coordinator",
        &[
            "saga execution component",
            "log",
            "backward recovery",
            "forward recovery",
            "orchestrator",
        ],
    );
    has(
        "step-functions-retry",
        &[
            "ErrorEquals",
            "IntervalSeconds",
            "MaxAttempts",
            "BackoffRate",
            "MaxDelaySeconds",
            "JitterStrategy",
            "Catch",
            "minus 1",
        ],
    );
    has(
        "poison-message",
        &[
            "visibility timeout",
            "maxReceiveCount",
            "dead-letter queue",
            "message group",
        ],
    );
    has("redrive", &["dead-letter queue", "source queue"]);
    has(
        "fifo-ordering",
        &[
            "best-effort ordering",
            "message group",
            "5-minute deduplication interval",
            "standard queues",
        ],
    );
    has(
        "exactly-once-processing",
        &[
            "at-least-once delivery",
            "idempotent consumer",
            "same transaction",
            "5-minute",
        ],
    );
    has(
        "outbox-relay",
        &[
            "polling publisher",
            "transaction log tailing",
            "publishes it again",
            "at-least-once publishing",
        ],
    );
    has("late-action", &["tombstone", "version file", "refused"]);
    has(
        "eventual-consistency",
        &["Vogels", "completes or is compensated"],
    );
    for (id, source) in [
        ("two-phase-commit", "Bernstein"),
        ("three-phase-commit", "Bernstein"),
        ("at-least-once-delivery", "Amazon SQS standard queues"),
        ("at-least-once-delivery", "Amazon SQS message quotas"),
        (
            "redrive",
            "Configure a dead-letter queue redrive in Amazon SQS",
        ),
        ("fifo-ordering", "Amazon SQS FIFO queues"),
        (
            "exactly-once-processing",
            "Exactly-once processing in Amazon SQS",
        ),
        ("outbox-relay", "Pattern: Polling publisher"),
        ("outbox-relay", "Pattern: Transaction log tailing"),
        ("eventual-consistency", "Vogels"),
    ] {
        let entry = find(id).unwrap_or_else(|| panic!("{id} missing"));
        assert!(
            entry.sources.iter().any(|s| s.title.contains(source)),
            "{id} does not cite {source}"
        );
    }
    let step_functions = find("step-functions-retry").map(|e| e.sources[0].detail);
    for field in ["MaxDelaySeconds", "JitterStrategy"] {
        assert!(step_functions.is_some_and(|d| d.contains(field)), "{field}");
    }
}

#[test]
fn the_numbers_in_the_words_are_the_engine_s() {
    use crate::engine::scenario::{QueueConfig, RetryPolicies, Timing};
    let retry = RetryPolicies::default();
    let notes = MODEL_NOTES.join(" ");
    // Steps after the pivot: for ever, doubling up to the cap.
    assert_eq!(retry.retriable.max_attempts, None);
    let forward: Vec<String> = (2..=5)
        .map(|n| duration(retry.retriable.delay_before(n)))
        .collect();
    let said = format!(
        "waits {}, {}, {}, then {} each time",
        forward[0], forward[1], forward[2], forward[3]
    );
    assert!(text("retry-backoff").contains(&said), "{said}");
    let said = format!(
        "retried for ever ({}, {}, {}, {}, …)",
        forward[0], forward[1], forward[2], forward[3]
    );
    assert!(notes.contains(&said), "{said}");
    // Steps up to the pivot and compensations: their attempts and waits.
    let step = retry.step.max_attempts.unwrap_or_default();
    let said = format!(
        "steps up to the pivot get {step} attempts (waits of {} and {})",
        duration(retry.step.delay_before(2)),
        duration(retry.step.delay_before(3))
    );
    assert_eq!(step, 3);
    assert!(notes.contains(&said), "{said}");
    let undo = retry.compensation.max_attempts.unwrap_or_default();
    let said = format!(
        "compensations {undo} ({}, {}, {})",
        duration(retry.compensation.delay_before(2)),
        duration(retry.compensation.delay_before(3)),
        duration(retry.compensation.delay_before(4))
    );
    assert_eq!(undo, 4);
    assert!(notes.contains(&said), "{said}");
    // Jitter is off unless a scenario switches it on.
    assert!(!retry.step.jitter && !retry.compensation.jitter && !retry.retriable.jitter);
    assert!(text("retry-backoff").contains("off here unless a scenario file switches it on"));
    // The timings and the queue settings the notes quote.
    let timing = Timing::default();
    let queues = QueueConfig::default();
    for said in [
        format!(
            "takes {} plus up to {}",
            duration(timing.network_ms),
            duration(timing.network_jitter_ms)
        ),
        format!("({}, plus any latency fault)", duration(timing.process_ms)),
        format!(
            "each attempt waits at most {} for its reply",
            duration(timing.step_timeout_ms)
        ),
        format!(
            "visibility timeout ends ({})",
            duration(queues.visibility_timeout_ms)
        ),
        format!(
            "at most maxReceiveCount times ({})",
            queues.max_receive_count
        ),
        format!("woken {} after each commit", duration(timing.relay_ms)),
    ] {
        assert!(notes.contains(&said), "{said}");
    }
    assert_eq!(
        timing.relay_retry_ms, 1_000,
        "the notes say “a second later”"
    );
    assert!(text("visibility-timeout")
        .contains(&format!("here {}", duration(queues.visibility_timeout_ms))));
    // The Step Functions export's stand-in for "for ever".
    let forever = crate::share::asl::FOREVER_ATTEMPTS;
    assert!(text("step-functions-retry").contains(&format!("MaxAttempts {forever}")));
    assert!(notes.contains(&format!("MaxAttempts of {forever}")));
}

#[test]
fn the_panel_ends_with_how_sagascope_models_things() {
    assert!(MODEL_NOTES.len() >= 10);
    for note in MODEL_NOTES {
        assert!(note.ends_with('.') && !note.trim().is_empty(), "{note}");
    }
    let html = glossary_html(None);
    let opening = r#"<section class="glossary__model" id="glossary-model" data-testid="model-notes" tabindex="-1"><h3 class="glossary__term">How Sagascope models things</h3>"#;
    assert_eq!(html.matches(r#"data-testid="model-notes""#).count(), 1);
    let at = html.find(opening).expect("the model notes are drawn");
    // After every entry, inside the panel's body.
    let last = ENTRIES.last().map(|e| format!(r#"id="glossary-{}""#, e.id));
    assert!(last.is_some_and(|l| html.find(&l).is_some_and(|i| i < at)));
    assert!(html.ends_with("</ul></section></div></div>"));
    let section = &html[at..];
    assert!(section.contains(&crate::view::format::escape(MODEL_INTRO)));
    for note in MODEL_NOTES {
        let escaped = crate::view::format::escape(note);
        assert!(
            section.contains(&format!(r#"<li class="glossary__text">{escaped}</li>"#)),
            "{note}"
        );
    }
    assert_eq!(
        section.matches(r#"<li class="glossary__text">"#).count(),
        MODEL_NOTES.len()
    );
    // The panel's head opens the section, through the command that opens an entry.
    assert!(html.contains(r#"data-action="glossary" data-term="model""#));
    assert_eq!(place(MODEL_ID), Some(MODEL_ID));
    assert_eq!(place("saga"), Some("saga"));
    assert_eq!(place("nope"), None);
    // The same with an entry selected.
    assert!(glossary_html(Some("saga")).contains(opening));
}
