//! The outcome banner: how the run stands, and each saga's outcome when there are several.

use std::fmt::Write;

use crate::engine::event::Outcome;
use crate::engine::snapshot::Snapshot;

use super::markup::Html;
use crate::view::format::{saga_colour, saga_letter};
use crate::view::status::outcome_text;

/// The outcome banner (`data-testid="outcome"`, `data-outcome`).
pub fn outcome_html(snapshot: &Snapshot) -> String {
    let outcome = snapshot.outcome;
    let (icon, title, text) = outcome_text(outcome);
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
    let mut out = Html::with_capacity(1024);
    out.push(r#"<section class="outcome outcome--"#)
        .push(outcome.as_str())
        .push(r#"" data-testid="outcome" data-outcome=""#)
        .push(outcome.as_str())
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
        let html = outcome_html(&sim.snapshot());
        assert!(html.contains(r#"data-testid="outcome" data-outcome="compensated""#));
        let sim = run("two-customers", Coordination::Choreography);
        let html = outcome_html(&sim.snapshot());
        assert_eq!(html.matches(r#"<li class="outcome__saga"#).count(), 2);
    }
}
