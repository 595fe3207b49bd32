//! The fault menu of a node: every fault that applies there, and its active faults.

use crate::engine::scenario::Scenario;
use crate::engine::snapshot::Snapshot;

use super::markup::Html;
use crate::view::command::Command;
use crate::view::faults::{chip_label, fault_node, menu};

use crate::view::layout::NodeKey;

/// The fault menu of a node: every fault that applies there, and its active faults.
pub fn fault_menu_html(
    scenario: &Scenario,
    snapshot: &Snapshot,
    key: NodeKey,
    side: &str,
) -> String {
    let title = match key {
        NodeKey::Orchestrator => "Break the orchestrator".to_string(),
        NodeKey::Bus => "Break the event bus".to_string(),
        other => format!("Break {}", other.label()),
    };
    let mut out = Html::with_capacity(4096);
    out.push(r#"<div class="fault-menu fault-menu--"#)
        .push_text(side)
        .push(r#"" role="dialog""#)
        .push_attr("aria-label", &title)
        .push(r#" data-testid="fault-menu" data-menu-for=""#)
        .push_text(&key.test_id())
        .push(r#""><header class="fault-menu__head"><h2 class="fault-menu__title">⚡ "#)
        .push_text(&title)
        .push(r#"</h2><button type="button" class="btn btn--icon" "#)
        .push_command(Command::CloseMenu)
        .push(r#" data-testid="fault-menu-close" aria-label="Close the fault menu">✕</button></header><p class="fault-menu__hint">Takes effect now, and from 0 s after Reset.</p><div class="fault-menu__grid">"#);
    for (i, choice) in menu(scenario, key).iter().enumerate() {
        out.push(r#"<button type="button" class="fault-btn" "#)
            .push_command(Command::Inject(i))
            .push(r#" data-fault=""#)
            .push(choice.kind.as_str())
            .push(r#"""#)
            .push_attr("title", &choice.spec.describe(scenario))
            .push(">")
            .push_text(&choice.label)
            .push("</button>");
    }
    out.push(r#"</div><div class="fault-menu__active">"#);
    let active: Vec<_> = snapshot
        .faults
        .iter()
        .filter(|f| f.active && fault_node(f, scenario) == Some(key))
        .collect();
    if active.is_empty() {
        out.push(r#"<p class="fault-menu__none">No active faults here.</p>"#);
    } else {
        out.push(r#"<ul class="fault-menu__list">"#);
        for f in active {
            out.push(r#"<li class="fault-menu__item""#)
                .push_attr("title", &f.spec.describe(scenario))
                .push(r#"><span>⚡ "#)
                .push_text(&chip_label(f, scenario))
                .push(r#"</span><button type="button" class="btn btn--small" "#)
                .push_command(Command::RemoveFault(f.id))
                .push(">Remove</button></li>");
        }
        out.push("</ul>");
    }
    out.push("</div></div>");
    out.into_string()
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::definition::ServiceId;
    use crate::engine::scenario::Coordination;
    use crate::view::html::run;

    #[test]
    fn the_fault_menu_lists_buttons_with_data_fault() {
        let sim = run("happy-path", Coordination::Orchestration);
        let html = fault_menu_html(
            sim.scenario(),
            &sim.snapshot(),
            NodeKey::Service(ServiceId::Payment),
            "right",
        );
        assert!(html.contains(r#"data-choice="0" data-fault="business_failure""#));
        assert!(html.contains(">Card declined</button>"));
        assert!(html.contains("No active faults here."));
    }
}
