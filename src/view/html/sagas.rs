//! The toolbar above the diagram: one chip per saga, and the actions that are not faults.

use std::fmt::Write;

use crate::engine::event::Outcome;
use crate::engine::fault::FaultKind;
use crate::engine::message::SagaId;
use crate::engine::scenario::Coordination;
use crate::engine::snapshot::Snapshot;

use crate::view::command::Command;
use crate::view::format::{escape, saga_colour, saga_letter};
use crate::view::status::outcome_text;

/// The toolbar above the diagram: one chip per saga, and the actions that are not faults.
pub fn toolbar_html(snapshot: &Snapshot, selected: SagaId) -> String {
    let mut out = String::with_capacity(2048);
    out.push_str(r#"<div class="toolbar__sagas" role="group" aria-label="Sagas">"#);
    let several = snapshot.sagas.len() > 1;
    for r in &snapshot.sagas {
        let (icon, title, _) = outcome_text(r.outcome);
        let on = r.id == selected;
        let _ = write!(
            out,
            r#"<button type="button" class="saga-chip saga-{}{}" {} data-outcome="{}" aria-pressed="{on}" title="{}"><span class="saga-chip__letter">{}</span>{}<span class="saga-chip__outcome" aria-label="{title}">{icon}</span></button>"#,
            saga_colour(r.id),
            if on { " saga-chip--on" } else { "" },
            Command::SelectSaga(r.id).attrs(),
            r.outcome.as_str(),
            if several {
                format!(
                    "Show saga {}'s steps on the services ({title})",
                    saga_letter(r.id)
                )
            } else {
                format!("Saga {}: {title}", saga_letter(r.id))
            },
            saga_letter(r.id),
            escape(&r.spec.customer),
        );
    }
    out.push_str(r#"</div><div class="toolbar__actions">"#);
    let record = snapshot.sagas.get(selected);
    let can_cancel = record.is_some_and(|r| {
        r.started
            && !r.cancel_requested
            && matches!(r.outcome, Outcome::Running | Outcome::Completed)
    });
    let cancel_label = record
        .map(|r| format!("⊘ {} cancels ({})", r.spec.customer, saga_letter(r.id)))
        .unwrap_or_else(|| "⊘ Cancel".to_string());
    let _ = write!(
        out,
        r#"<button type="button" class="btn btn--small" data-testid="cancel" {}{} title="The customer asks to cancel: before the pivot the saga compensates; after completion a cancellation saga runs">{}</button>"#,
        Command::Cancel(selected).attrs(),
        if can_cancel { "" } else { " disabled" },
        escape(&cancel_label),
    );
    // In choreography a saga waits for a person because its message was dead-lettered: count
    // the messages; in orchestration, the sagas whose compensation ran out of retries.
    let waiting = match snapshot.coordination {
        Coordination::Choreography => snapshot.dead_letters.len(),
        Coordination::Orchestration => snapshot.manual_intervention.len(),
    };
    let _ = write!(
        out,
        r#"<button type="button" class="btn btn--small" data-testid="redrive" {}{} title="Move dead letters back to their queues and retry compensations that wait for a person">↺ Redrive{}</button>"#,
        Command::Redrive.attrs(),
        if waiting == 0 { " disabled" } else { "" },
        if waiting == 0 {
            String::new()
        } else {
            format!(" ({waiting})")
        },
    );
    let chaos = snapshot
        .faults
        .iter()
        .any(|f| f.active && f.spec.kind() == FaultKind::Chaos);
    let _ = write!(
        out,
        r#"<button type="button" class="btn btn--small btn--chaos{}" data-testid="chaos" {} aria-pressed="{chaos}" title="Random drops, duplicates, delays and errors drawn from the seed, for 20 s">⚄ Chaos{}</button></div>"#,
        if chaos { " btn--on" } else { "" },
        Command::ToggleChaos.attrs(),
        if chaos { " on" } else { "" },
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::presets;
    use crate::engine::scenario::Storage;
    use crate::engine::sim::Simulation;
    use crate::view::html::run;

    #[test]
    fn the_toolbar_enables_redrive_only_when_something_waits() {
        let sim = run("happy-path", Coordination::Choreography);
        let html = toolbar_html(&sim.snapshot(), 0);
        assert!(html.contains(r#"data-action="redrive" disabled"#));
        let scenario = presets::scenario(
            "poison-redrive",
            Coordination::Choreography,
            Storage::PerService,
            1,
        )
        .unwrap();
        let mut sim = Simulation::new(scenario).unwrap();
        sim.drive(15_000);
        let html = toolbar_html(&sim.snapshot(), 0);
        assert!(html.contains("↺ Redrive (1)"));
        assert!(!html.contains(r#"data-action="redrive" disabled"#));
    }
}
