//! The data panel: its tabs (dead letters, manual intervention, tables) and the chosen tab's contents.

use std::fmt::Write;

use crate::engine::scenario::{Coordination, Scenario};
use crate::engine::snapshot::Snapshot;

use super::log::saga_badge;
use crate::view::command::{Command, DataTab};
use crate::view::format::escape;
use crate::view::tables::{databases, databases_html, dead_letter_items, manual_items};

/// The data panel: its tabs and the chosen tab's contents.
pub fn data_html(tab: DataTab, snapshot: &Snapshot, scenario: &Scenario) -> String {
    let def = &scenario.definition;
    let dead = dead_letter_items(snapshot, def);
    let manual = manual_items(snapshot, def);
    let mut out = String::with_capacity(8 * 1024);
    out.push_str(r#"<div class="tabs" role="tablist">"#);
    for each in DataTab::ALL {
        let count = match each {
            DataTab::DeadLetters => format!(" ({})", dead.len()),
            DataTab::Manual => format!(" ({})", manual.len()),
            DataTab::Tables => String::new(),
        };
        let on = each == tab;
        let (id, label) = (each.as_str(), each.label());
        let _ = write!(
            out,
            r#"<button type="button" class="tabs__tab{}" role="tab" {} data-testid="tab-{id}" aria-selected="{on}">{label}{count}</button>"#,
            if on { " tabs__tab--on" } else { "" },
            Command::Tab(each).attrs(),
        );
    }
    let panel = tab.label();
    // Focusable: the panel scrolls, and a keyboard must be able to scroll it.
    let _ = write!(
        out,
        r#"</div><div class="data__body" role="tabpanel" aria-label="{panel}" tabindex="0">"#
    );
    match tab {
        DataTab::DeadLetters => {
            if scenario.coordination == Coordination::Orchestration {
                out.push_str(r#"<p class="data__note">Orchestration has no queues: a failing step is retried by the orchestrator, and when its retries run out the saga compensates or waits for manual intervention.</p>"#);
            } else if dead.is_empty() {
                out.push_str(r#"<p class="data__note">The dead-letter queue is empty. A message that fails on every delivery lands here after its maximum receives.</p>"#);
            } else {
                out.push_str(r#"<ul class="queue-list" data-testid="dead-letter-list">"#);
                for i in dead {
                    out.push_str(r#"<li class="queue-list__item">"#);
                    saga_badge(&mut out, Some(i.saga));
                    let _ = write!(
                        out,
                        "{} · from {}'s queue · received {} times · message {}</li>",
                        escape(&i.event),
                        i.queue.label(),
                        i.receive_count,
                        i.message
                    );
                }
                out.push_str("</ul>");
            }
        }
        DataTab::Manual => {
            if manual.is_empty() {
                out.push_str(r#"<p class="data__note">Nobody is waiting for a person. A saga lands here when it can neither finish by itself nor go back: a compensation that keeps failing (rollback incomplete), a pivot whose outcome stays unknown, a step after the pivot or the failure notice out of retries, or a dead letter. Fix the cause, then Redrive.</p>"#);
            } else {
                out.push_str(r#"<ul class="queue-list" data-testid="manual-list">"#);
                for (saga, what) in manual {
                    out.push_str(r#"<li class="queue-list__item queue-list__item--stuck">"#);
                    saga_badge(&mut out, Some(saga));
                    let _ = write!(out, "stuck: {}</li>", escape(&what));
                }
                out.push_str("</ul>");
            }
        }
        DataTab::Tables => {
            out.push_str(r#"<div class="dbs" data-testid="databases">"#);
            out.push_str(&databases_html(&databases(snapshot, def)));
            out.push_str("</div>");
        }
    }
    out.push_str("</div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scenario::Coordination;
    use crate::view::html::outcome_html;
    use crate::view::html::run;

    #[test]
    fn the_data_panel_has_three_tabs() {
        let sim = run("compensation-fails", Coordination::Orchestration);
        let snap = sim.snapshot();
        let html = data_html(DataTab::Manual, &snap, sim.scenario());
        assert_eq!(html.matches(r#"role="tab""#).count(), 3);
        assert!(html.contains(
            r#"<div class="data__body" role="tabpanel" aria-label="Manual intervention" tabindex="0">"#
        ));
        assert!(html.contains("Manual intervention (1)"));
        assert!(html.contains("stuck: Refund payment (Payment): a compensation ran out of retries"));
        let banner = outcome_html(&snap);
        assert!(
            banner.contains("Why: a compensation ran out of retries"),
            "{banner}"
        );
        assert!(data_html(DataTab::Tables, &snap, sim.scenario())
            .contains(r#"data-testid="databases""#));
    }
}
