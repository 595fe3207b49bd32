//! The fault menu of a node: every fault that applies there, and its active faults.

use std::fmt::Write;

use crate::engine::scenario::Scenario;
use crate::engine::snapshot::Snapshot;

use crate::view::command::Command;
use crate::view::faults::{chip_label, fault_node, menu};
use crate::view::format::escape;
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
    let mut out = String::with_capacity(4096);
    let _ = write!(
        out,
        r#"<div class="fault-menu fault-menu--{side}" role="dialog" aria-label="{0}" data-testid="fault-menu" data-menu-for="{1}"><header class="fault-menu__head"><h2 class="fault-menu__title">⚡ {0}</h2><button type="button" class="btn btn--icon" {2} data-testid="fault-menu-close" aria-label="Close the fault menu">✕</button></header><p class="fault-menu__hint">Takes effect now, and from 0 s after Reset.</p><div class="fault-menu__grid">"#,
        escape(&title),
        key.test_id(),
        Command::CloseMenu.attrs(),
    );
    for (i, choice) in menu(scenario, key).iter().enumerate() {
        let _ = write!(
            out,
            r#"<button type="button" class="fault-btn" {} data-fault="{}" title="{}">{}</button>"#,
            Command::Inject(i).attrs(),
            choice.kind.as_str(),
            escape(&choice.spec.describe(scenario)),
            escape(&choice.label),
        );
    }
    out.push_str(r#"</div><div class="fault-menu__active">"#);
    let active: Vec<_> = snapshot
        .faults
        .iter()
        .filter(|f| f.active && fault_node(f, scenario) == Some(key))
        .collect();
    if active.is_empty() {
        out.push_str(r#"<p class="fault-menu__none">No active faults here.</p>"#);
    } else {
        out.push_str(r#"<ul class="fault-menu__list">"#);
        for f in active {
            let _ = write!(
                out,
                r#"<li class="fault-menu__item" title="{}"><span>⚡ {}</span><button type="button" class="btn btn--small" {}>Remove</button></li>"#,
                escape(&f.spec.describe(scenario)),
                escape(&chip_label(f, scenario)),
                Command::RemoveFault(f.id).attrs(),
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</div></div>");
    out
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
