//! The invariant monitor panel: one row per invariant, holding or broken.

use std::fmt::Write;

use crate::engine::invariants::InvariantStatus;

use crate::view::format::escape;
use crate::view::monitor::{short_name, standing, title};

/// The invariant monitor: ten rows, each holding or broken (when, for which saga and step, and
/// what); broken ones loud.
pub fn invariants_html(report: &[InvariantStatus]) -> String {
    let broken = report.iter().filter(|i| !i.holds).count();
    let mut out = String::with_capacity(2048);
    let _ = write!(
        out,
        r#"<section class="invariants{}" data-testid="invariants" data-all-hold="{}"><header class="panel__head"><h2 class="panel__title">Invariants</h2><span class="panel__meta">{}</span></header><ol class="invariants__list">"#,
        if broken > 0 {
            " invariants--broken"
        } else {
            ""
        },
        broken == 0,
        match broken {
            0 => "none broken, checked after every event".to_string(),
            n => format!("⚠ {n} broken"),
        }
    );
    for status in report {
        let _ = write!(
            out,
            r#"<li class="invariant{}" data-invariant="{}" data-invariant-name="{}" data-holds="{}" title="{}"><span class="invariant__icon" aria-hidden="true">{}</span><span class="invariant__n">{}</span><span class="invariant__name">{}</span><span class="invariant__state">{}</span></li>"#,
            if status.holds {
                ""
            } else {
                " invariant--broken"
            },
            status.invariant,
            escape(&status.key),
            status.holds,
            escape(&title(status)),
            match (status.checked, status.holds) {
                (false, _) => "…",
                (true, true) => "✓",
                (true, false) => "✗",
            },
            status.invariant,
            short_name(status.invariant),
            escape(&standing(status)),
        );
    }
    out.push_str("</ol></section>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scenario::Coordination;
    use crate::view::html::run;

    #[test]
    fn invariants_show_ten_rows_and_broken_ones_loudly() {
        let sim = run("no-idempotency", Coordination::Choreography);
        let mut monitor = crate::engine::invariants::Monitor::new();
        monitor.observe(&sim);
        let html = invariants_html(&monitor.report());
        assert_eq!(html.matches("data-invariant=").count(), 10);
        assert!(html.contains(r#"data-invariant-name="point-of-no-return""#));
        assert!(html.contains("invariants--broken"));
        assert!(html.contains(r#"data-all-hold="false""#));
        assert!(html.contains("broken at"));
    }
}
