//! The invariant monitor panel: one row per invariant, holding or broken.

use crate::engine::invariants::InvariantStatus;

use super::attr_if;
use super::markup::Html;
use crate::view::monitor::{short_name, standing, title};

/// The invariant monitor: ten rows, each holding or broken (when, for which saga and step, and
/// what); broken ones loud.
pub fn invariants_html(report: &[InvariantStatus]) -> String {
    let broken = report.iter().filter(|i| !i.holds).count();
    let mut out = Html::with_capacity(2048);
    out.push(r#"<section class="invariants"#)
        .push(attr_if(broken > 0, " invariants--broken"))
        .push(r#"" data-testid="invariants" data-all-hold=""#)
        .push_plain(broken == 0)
        .push(r#""><header class="panel__head"><h2 class="panel__title">Invariants</h2><span class="panel__meta">"#)
        .push_text(&match broken {
            0 => "none broken, checked after every event".to_string(),
            n => format!("⚠ {n} broken"),
        })
        .push(r#"</span></header><ol class="invariants__list">"#);
    for status in report {
        out.push(r#"<li class="invariant"#)
            .push(attr_if(!status.holds, " invariant--broken"))
            .push(r#"" data-invariant=""#)
            .push_plain(status.invariant)
            .push(r#"""#)
            .push_attr("data-invariant-name", &status.key)
            .push(r#" data-holds=""#)
            .push_plain(status.holds)
            .push(r#"""#)
            .push_attr("title", &title(status))
            .push(r#"><span class="invariant__icon" aria-hidden="true">"#)
            .push(match (status.checked, status.holds) {
                (false, _) => "…",
                (true, true) => "✓",
                (true, false) => "✗",
            })
            .push(r#"</span><span class="invariant__n">"#)
            .push_plain(status.invariant)
            .push(r#"</span><span class="invariant__name">"#)
            .push_text(short_name(status.invariant))
            .push(r#"</span><span class="invariant__state">"#)
            .push_text(&standing(status))
            .push("</span></li>");
    }
    out.push("</ol></section>");
    out.into_string()
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scenario::Coordination;
    use crate::view::html::run;

    #[test]
    fn invariants_show_a_row_each_and_broken_ones_loudly() {
        let sim = run("no-idempotency", Coordination::Choreography);
        let mut monitor = crate::engine::invariants::Monitor::new();
        monitor.observe(&sim);
        let html = invariants_html(&monitor.report());
        assert_eq!(
            html.matches("data-invariant=").count(),
            crate::engine::Invariant::ALL.len()
        );
        assert!(html.contains(r#"data-invariant-name="isolation""#));
        assert!(html.contains(r#"data-invariant-name="point-of-no-return""#));
        assert!(html.contains("invariants--broken"));
        assert!(html.contains(r#"data-all-hold="false""#));
        assert!(html.contains("broken at"));
    }
}
