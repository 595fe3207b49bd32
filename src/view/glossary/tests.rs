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
