//! The outcome banner: how the run stands, and each saga's outcome when there are several.

use std::fmt::Write;

use crate::engine::event::Outcome;
use crate::engine::invariants::InvariantStatus;
use crate::engine::snapshot::Snapshot;

use super::markup::Html;
use crate::view::format::{saga_colour, saga_letter};
use crate::view::status::outcome_text;

/// The outcome banner (`data-testid="outcome"`, `data-outcome`, and `data-broken` with the
/// number of invariants the monitor found broken, `report`). A run that ended with broken
/// invariants says so in the banner too, so that it never reads as a plain success.
pub fn outcome_html(snapshot: &Snapshot, report: &[InvariantStatus]) -> String {
    let outcome = snapshot.outcome;
    // Before any saga has started nothing runs yet (a preset's faults may already be in place):
    // the banner says so rather than "Running".
    let ready = snapshot.sagas.iter().all(|r| !r.started);
    let (icon, title, text) = if ready {
        (
            "◇",
            "Ready",
            "Nothing has happened yet: press Play (Space) or Step (→).",
        )
    } else {
        outcome_text(outcome)
    };
    let broken: Vec<&str> = report
        .iter()
        .filter(|i| !i.holds)
        .map(|i| i.short_name.as_str())
        .collect();
    let warn = outcome != Outcome::Running && !broken.is_empty();
    let icon = if warn { "⚠" } else { icon };
    let stuck = snapshot.manual_intervention.len();
    let mut text = if outcome == Outcome::Running && stuck > 0 {
        format!("{stuck} saga(s) wait for a person: see Redrive.")
    } else {
        text.to_string()
    };
    // Whoever waits for a person says why, so the banner never just says "stuck".
    for r in snapshot.sagas.iter() {
        if let Some(reason) = r.stuck_reason {
            if snapshot.sagas.len() > 1 {
                let _ = write!(text, " Saga {}: {}.", saga_letter(r.id), reason.label());
            } else {
                let _ = write!(text, " Why: {}.", reason.label());
            }
        }
    }
    if warn {
        let _ = write!(
            text,
            " But the monitor found {} broken: {}.",
            if broken.len() == 1 {
                "an invariant".to_string()
            } else {
                format!("{} invariants", broken.len())
            },
            broken.join(", ")
        );
    }
    let mut out = Html::with_capacity(1024);
    out.push(r#"<section class="outcome outcome--"#)
        .push(outcome.as_str())
        .push(if warn { " outcome--broken" } else { "" })
        .push(if ready { " outcome--ready" } else { "" })
        .push(r#"" data-testid="outcome" data-outcome=""#)
        .push(outcome.as_str())
        .push(r#"" data-broken=""#)
        .push_plain(broken.len())
        .push(r#""><span class="outcome__icon" aria-hidden="true">"#)
        .push_text(icon)
        .push(r#"</span><div class="outcome__body"><strong class="outcome__title">"#)
        .push_text(title)
        .push(r#"</strong><span class="outcome__text">"#)
        .push_text(&text)
        .push("</span></div>");
    if snapshot.sagas.len() > 1 {
        out.push(r#"<ul class="outcome__sagas">"#);
        for r in &snapshot.sagas {
            let (icon, title, _) = outcome_text(r.outcome);
            out.push(r#"<li class="outcome__saga saga-"#)
                .push_plain(saga_colour(r.id))
                .push(r#"" data-outcome=""#)
                .push(r.outcome.as_str())
                .push(r#"">"#)
                .push_text(&saga_letter(r.id).to_string())
                .push(" ")
                .push_text(icon)
                .push(" ")
                .push_text(title)
                .push("</li>");
        }
        out.push("</ul>");
    }
    out.push("</section>");
    out.into_string()
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scenario::Coordination;
    use crate::view::html::run;

    #[test]
    fn the_outcome_banner_carries_data_outcome() {
        let sim = run("card-declined", Coordination::Orchestration);
        let html = outcome_html(&sim.snapshot(), &[]);
        assert!(html.contains(r#"data-testid="outcome" data-outcome="compensated""#));
        let sim = run("two-customers", Coordination::Choreography);
        let html = outcome_html(&sim.snapshot(), &[]);
        assert_eq!(html.matches(r#"<li class="outcome__saga"#).count(), 2);
    }

    /// The monitor's report of a run, from its own watch of the run.
    fn report(preset: &str) -> (Snapshot, Vec<InvariantStatus>) {
        let mut sim = crate::engine::Simulation::new(
            crate::engine::presets::scenario(
                preset,
                Coordination::Orchestration,
                crate::engine::Storage::PerService,
                0,
            )
            .unwrap(),
        )
        .unwrap();
        let mut monitor = crate::engine::Monitor::default();
        while sim.step() {
            monitor.observe(&sim);
        }
        (sim.snapshot(), monitor.report())
    }

    #[test]
    fn a_run_that_ended_with_broken_invariants_says_so_in_the_banner() {
        let (snapshot, report) = report("no-idempotency");
        assert!(report.iter().any(|i| !i.holds));
        let html = outcome_html(&snapshot, &report);
        assert!(html.contains("outcome--broken"), "{html}");
        assert!(html.contains("But the monitor found"), "{html}");
        assert!(!html.contains(r#"data-broken="0""#), "{html}");
        // A clean run keeps its plain banner.
        let (snapshot, report) = report_clean();
        let html = outcome_html(&snapshot, &report);
        assert!(html.contains(r#"data-broken="0""#), "{html}");
        assert!(!html.contains("But the monitor"), "{html}");
    }

    #[test]
    fn before_any_saga_starts_the_banner_says_ready() {
        let sim = crate::engine::Simulation::new(
            crate::engine::presets::scenario(
                "card-declined",
                Coordination::Orchestration,
                crate::engine::Storage::PerService,
                0,
            )
            .unwrap(),
        )
        .unwrap();
        let html = outcome_html(&sim.snapshot(), &[]);
        assert!(
            html.contains("Ready") && html.contains("outcome--ready"),
            "{html}"
        );
        assert!(!html.contains("Running"), "{html}");
        let mut sim = sim;
        while !sim.snapshot().sagas.iter().any(|r| r.started) && sim.step() {}
        let html = outcome_html(&sim.snapshot(), &[]);
        assert!(
            html.contains("Running") && !html.contains("Ready"),
            "{html}"
        );
    }

    fn report_clean() -> (Snapshot, Vec<InvariantStatus>) {
        report("happy-path")
    }
}
