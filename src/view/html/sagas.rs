//! The toolbar above the diagram: one chip per saga, and the actions that are not faults.

use crate::engine::event::Outcome;
use crate::engine::fault::FaultKind;
use crate::engine::message::SagaId;
use crate::engine::scenario::Coordination;
use crate::engine::snapshot::Snapshot;

use super::markup::Html;
use crate::view::command::Command;
use crate::view::format::{saga_colour, saga_letter};
use crate::view::status::outcome_text;

/// The toolbar above the diagram: one chip per saga, and the actions that are not faults.
pub fn toolbar_html(snapshot: &Snapshot, selected: SagaId) -> String {
    let mut out = Html::with_capacity(2048);
    out.push(r#"<div class="toolbar__sagas" role="group" aria-label="Sagas">"#);
    let several = snapshot.sagas.len() > 1;
    for r in &snapshot.sagas {
        let (icon, title, _) = outcome_text(r.outcome);
        let on = r.id == selected;
        let letter = saga_letter(r.id).to_string();
        out.push(r#"<button type="button" class="saga-chip saga-"#)
            .push_plain(saga_colour(r.id))
            .push(if on { " saga-chip--on" } else { "" })
            .push(r#"" "#)
            .push_command(Command::SelectSaga(r.id))
            .push(r#" data-outcome=""#)
            .push(r.outcome.as_str())
            .push(r#"" aria-pressed=""#)
            .push_plain(on)
            .push(r#"" title=""#);
        if several {
            out.push("Show saga ")
                .push_text(&letter)
                .push("'s steps on the services (")
                .push(title)
                .push(")");
        } else {
            out.push("Saga ").push_text(&letter).push(": ").push(title);
        }
        out.push(r#""><span class="saga-chip__letter">"#)
            .push_text(&letter)
            .push("</span>")
            .push_text(&r.spec.customer)
            .push(r#"<span class="saga-chip__outcome" aria-label=""#)
            .push(title)
            .push(r#"">"#)
            .push(icon)
            .push("</span></button>");
    }
    out.push(r#"</div><div class="toolbar__actions">"#);
    let record = snapshot.sagas.get(selected);
    let can_cancel = record.is_some_and(|r| {
        r.started
            && !r.cancel_requested
            && matches!(r.outcome, Outcome::Running | Outcome::Completed)
    });
    out.push(r#"<button type="button" class="btn btn--small" data-testid="cancel" "#)
        .push_command(Command::Cancel(selected))
        .push(if can_cancel { "" } else { " disabled" })
        .push(r#" title="The customer asks to cancel: until the pivot is sent the saga compensates; after that it finishes, then a cancellation saga undoes it">"#);
    match record {
        Some(r) => {
            out.push("⊘ ")
                .push_text(&r.spec.customer)
                .push(" cancels (")
                .push_text(&saga_letter(r.id).to_string())
                .push(")");
        }
        None => {
            out.push("⊘ Cancel");
        }
    }
    out.push("</button>");
    // In choreography a saga waits for a person because its message was dead-lettered: count
    // the messages; in orchestration, the sagas whose compensation ran out of retries.
    let waiting = match snapshot.coordination {
        Coordination::Choreography => snapshot.dead_letters.len(),
        Coordination::Orchestration => snapshot.manual_intervention.len(),
    };
    out.push(r#"<button type="button" class="btn btn--small" data-testid="redrive" "#)
        .push_command(Command::Redrive)
        .push(if waiting == 0 { " disabled" } else { "" })
        .push(r#" title="Move dead letters back to their queues and retry compensations that wait for a person">↺ Redrive"#);
    if waiting > 0 {
        out.push(" (").push_plain(waiting).push(")");
    }
    out.push("</button>");
    let chaos = snapshot
        .faults
        .iter()
        .any(|f| f.active && f.spec.kind() == FaultKind::Chaos);
    out.push(r#"<button type="button" class="btn btn--small btn--chaos"#)
        .push(if chaos { " btn--on" } else { "" })
        .push(r#"" data-testid="chaos" "#)
        .push_command(Command::ToggleChaos)
        .push(r#" aria-pressed=""#)
        .push_plain(chaos)
        .push(r#"" title="Random drops, duplicates, delays and errors drawn from the seed, for 20 s">⚄ Chaos"#)
        .push(if chaos { " on" } else { "" })
        .push("</button></div>");
    out.into_string()
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
