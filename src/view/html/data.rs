//! The data panel: its tabs (dead letters, manual intervention, tables) and the chosen tab's contents.

use crate::engine::scenario::{Coordination, Scenario};
use crate::engine::snapshot::Snapshot;

use super::log::saga_badge;
use super::markup::Html;
use crate::view::command::{Command, DataTab};

use crate::view::tables::{databases, databases_html, dead_letter_items, manual_items};

/// The data panel: its tabs and the chosen tab's contents.
pub fn data_html(tab: DataTab, snapshot: &Snapshot, scenario: &Scenario) -> String {
    let def = &scenario.definition;
    let dead = dead_letter_items(snapshot, def);
    let manual = manual_items(snapshot, def);
    let mut out = Html::with_capacity(8 * 1024);
    out.push(r#"<div class="tabs" role="tablist">"#);
    for each in DataTab::ALL {
        let on = each == tab;
        out.push(r#"<button type="button" class="tabs__tab"#)
            .push(if on { " tabs__tab--on" } else { "" })
            .push(r#"" role="tab" "#)
            .push_command(Command::Tab(each))
            .push(r#" data-testid="tab-"#)
            .push(each.as_str())
            .push(r#"" aria-selected=""#)
            .push_plain(on)
            .push(r#"">"#)
            .push(each.label());
        match each {
            DataTab::DeadLetters => {
                out.push(" (").push_plain(dead.len()).push(")");
            }
            DataTab::Manual => {
                out.push(" (").push_plain(manual.len()).push(")");
            }
            DataTab::Tables => {}
        }
        out.push("</button>");
    }
    // Focusable: the panel scrolls, and a keyboard must be able to scroll it.
    out.push(r#"</div><div class="data__body" role="tabpanel" aria-label=""#)
        .push(tab.label())
        .push(r#"" tabindex="0">"#);
    match tab {
        DataTab::DeadLetters => {
            if scenario.coordination == Coordination::Orchestration {
                out.push(r#"<p class="data__note">Orchestration has no queues: a failing step is retried by the orchestrator, and when its retries run out the saga compensates or waits for manual intervention.</p>"#);
            } else if dead.is_empty() {
                out.push(r#"<p class="data__note">The dead-letter queue is empty. A message that fails on every delivery lands here after its maximum receives.</p>"#);
            } else {
                out.push(r#"<ul class="queue-list" data-testid="dead-letter-list">"#);
                for i in dead {
                    out.push(r#"<li class="queue-list__item">"#);
                    saga_badge(&mut out, Some(i.saga));
                    out.push_text(&i.event)
                        .push(" · from ")
                        .push(i.queue.label())
                        .push("'s queue · received ")
                        .push_plain(i.receive_count)
                        .push(" times · message ")
                        .push_plain(i.message)
                        .push("</li>");
                }
                out.push("</ul>");
            }
        }
        DataTab::Manual => {
            if manual.is_empty() {
                out.push(r#"<p class="data__note">Nobody is waiting for a person. A saga lands here when it can neither finish by itself nor go back: a compensation that keeps failing (rollback incomplete), a pivot whose outcome stays unknown, a step after the pivot or the failure notice out of retries, or a dead letter. Fix the cause, then Redrive.</p>"#);
            } else {
                out.push(r#"<ul class="queue-list" data-testid="manual-list">"#);
                for (saga, what) in manual {
                    out.push(r#"<li class="queue-list__item queue-list__item--stuck">"#);
                    saga_badge(&mut out, Some(saga));
                    out.push("stuck: ").push_text(&what).push("</li>");
                }
                out.push("</ul>");
            }
        }
        DataTab::Tables => {
            out.push(r#"<div class="dbs" data-testid="databases">"#)
                .push_html(&databases_html(&databases(snapshot, def)))
                .push("</div>");
        }
    }
    out.push("</div>");
    out.into_string()
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
        let banner = outcome_html(&snap, &[]);
        assert!(
            banner.contains("Why: a compensation ran out of retries"),
            "{banner}"
        );
        assert!(data_html(DataTab::Tables, &snap, sim.scenario())
            .contains(r#"data-testid="databases""#));
    }
}
