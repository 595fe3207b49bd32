//! The pieces every node of the diagram is built from: its head (box, title, status), a line of
//! text, its fault chips and its step rows.

use std::fmt::Write;

use crate::engine::definition::StepKind;
use crate::engine::sim::{StepState, StepStatus};
use crate::view::faults::{chip_label, fault_node};
use crate::view::format::{escape, Num};
use crate::view::layout::{NodeKey, Rect};
use crate::view::status::{kind_badge, kind_meaning, status_icon};

use super::*;

/// Opens a node's group: position, test id, status, selection, focus and keyboard access.
/// What a node's group says about it.
pub(super) struct NodeHead<'a> {
    pub(super) class: &'a str,
    pub(super) status: Option<&'a str>,
    pub(super) count: Option<usize>,
    pub(super) label: &'a str,
}

pub(super) fn open_node(
    out: &mut String,
    state: &DiagramState<'_>,
    key: NodeKey,
    rect: Rect,
    head: NodeHead<'_>,
) {
    let NodeHead {
        class,
        status,
        count,
        label,
    } = head;
    let id = key.test_id();
    let selected = state.selected == Some(key);
    let lit = state.focus.is_some_and(|f| f.nodes.contains(&key));
    let _ = write!(
        out,
        r#"<g class="{class}{}{}" transform="translate({:.1} {:.1})" data-testid="{id}" data-node="{id}""#,
        if selected { " is-selected" } else { "" },
        if lit { " is-lit" } else { "" },
        Num(rect.x),
        Num(rect.y),
    );
    if let Some(status) = status {
        let _ = write!(out, r#" data-status="{status}""#);
    }
    if let Some(count) = count {
        let _ = write!(out, r#" data-count="{count}""#);
    }
    // A labelled group, not a button: it holds the fault chips, buttons of their own, and its
    // steps stay readable one by one (a button's contents are read only as its name).
    let _ = write!(
        out,
        r#" tabindex="0" role="group" aria-label="{}"><rect class="saga-node__box" width="{:.1}" height="{:.1}" rx="12"/>"#,
        escape(label),
        Num(rect.w),
        Num(rect.h)
    );
}

pub(super) fn text(
    out: &mut String,
    class: &str,
    x: f64,
    y: f64,
    anchor: Option<&str>,
    content: &str,
) {
    let (x, y) = (Num(x), Num(y));
    let _ = write!(out, r#"<text class="{class}" x="{x}" y="{y}""#);
    if let Some(anchor) = anchor {
        let _ = write!(out, r#" text-anchor="{anchor}""#);
    }
    let _ = write!(out, ">{}</text>", escape(content));
}

/// Chips for the active faults shown on a node; each removes its fault when activated.
pub(super) fn fault_chips(
    out: &mut String,
    state: &DiagramState<'_>,
    key: NodeKey,
    x: f64,
    y: f64,
    width: f64,
) {
    let chips: Vec<_> = state
        .snapshot
        .faults
        .iter()
        .filter(|f| f.active && fault_node(f, state.scenario) == Some(key))
        .collect();
    let mut left = x;
    for (i, f) in chips.iter().enumerate() {
        let label = chip_label(f, state.scenario);
        let long = f.spec.describe(state.scenario);
        let w = text_width(&label, 12.0) + 34.0;
        if left + w > x + width && i > 0 {
            text(
                out,
                "fault-chip__more",
                left + 2.0,
                y + 15.0,
                None,
                &format!("+{}", chips.len() - i),
            );
            break;
        }
        let _ = write!(
            out,
            r#"<g class="fault-chip" transform="translate({} {})" data-chip="{}" tabindex="0" role="button" aria-label="{}: remove fault ({})"><title>{} (click to remove)</title><rect class="fault-chip__box" width="{}" height="21" rx="10.5"/>"#,
            Num(left),
            Num(y),
            f.id,
            escape(&label),
            escape(&long),
            escape(&long),
            Num(w),
        );
        text(
            out,
            "fault-chip__text",
            9.0,
            15.0,
            None,
            &format!("⚡{label}"),
        );
        // The ✕ only draws "remove": the name says it in words.
        let _ = write!(
            out,
            r#"<text class="fault-chip__x" x="{}" y="15.0" aria-hidden="true">✕</text>"#,
            Num(w - 15.0)
        );
        out.push_str("</g>");
        left += w + 5.0;
    }
}

pub(super) fn step_row(
    out: &mut String,
    y: f64,
    width: f64,
    step: usize,
    name: &str,
    kind: StepKind,
    state: StepState,
) {
    let status = state.status.as_str();
    let (badge, kind_name) = kind_badge(kind);
    let _ = write!(
        out,
        r#"<g class="saga-step saga-step--{status}" data-step="{}" data-kind="{kind_name}" data-status="{status}" transform="translate(10 {})"><title>Step {}: {} ({}), {status}</title><rect class="saga-step__bg" width="{}" height="28" rx="7"/>"#,
        step + 1,
        Num(y),
        step + 1,
        escape(name),
        kind_meaning(kind),
        Num(width),
    );
    text(
        out,
        "saga-step__icon",
        9.0,
        19.0,
        None,
        status_icon(state.status),
    );
    let _ = write!(
        out,
        r#"<text class="saga-step__name" x="27" y="19"><tspan class="saga-step__n">{}</tspan> {}</text>"#,
        step + 1,
        escape(name)
    );
    let _ = write!(
        out,
        r#"<g class="kind-badge kind-badge--{kind_name}" transform="translate({:.1} 4)"><rect class="kind-badge__box" width="22" height="20" rx="4"/>"#,
        Num(width - 26.0)
    );
    text(out, "kind-badge__text", 11.0, 15.0, Some("middle"), badge);
    out.push_str("</g></g>");
}

pub(super) fn notice_row(out: &mut String, y: f64, width: f64, state: StepState) {
    let status = state.status.as_str();
    let quiet = if state.status == StepStatus::Idle {
        " saga-step--quiet"
    } else {
        ""
    };
    let _ = write!(
        out,
        r#"<g class="saga-step saga-step--notice saga-step--{status}{quiet}" data-notice="true" data-status="{status}" transform="translate(10 {})"><title>After a failure, once every step is undone: tell the customer and the restaurant</title><rect class="saga-step__bg" width="{}" height="28" rx="7"/>"#,
        Num(y),
        Num(width),
    );
    text(
        out,
        "saga-step__icon",
        9.0,
        19.0,
        None,
        status_icon(state.status),
    );
    text(out, "saga-step__name", 27.0, 19.0, None, "✉ Notify failure");
    if state.attempts > 1 {
        text(
            out,
            "saga-step__tries",
            width - 8.0,
            19.0,
            Some("end"),
            &format!("×{}", state.attempts),
        );
    }
    out.push_str("</g>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fault::FaultSpec;

    use crate::view::svg::testing::*;

    #[test]
    fn active_faults_show_as_removable_chips() {
        let mut s = sim("happy-path", Coordination::Orchestration, 0);
        s.handle_command(crate::engine::scenario::Command::InjectFault {
            fault: FaultSpec::Latency {
                service: ServiceId::Payment,
                extra_ms: 2_500,
            },
        })
        .unwrap();
        let markup = svg(&s, 0, None);
        assert!(markup.contains(r#"data-chip="0""#));
        // Named by what it shows first (the chip's text), then what activating it does.
        assert!(markup.contains(r#"aria-label="+2.5 s: remove fault (Payment: +2500 ms latency)""#));
        // The chip is a button inside its node, so the node must not be a button too.
        assert!(tag_of(&markup, "service-payment")
            .contains(r#"role="group" aria-label="Payment service"#));
        assert_eq!(
            markup.matches(r#"role="button""#).count(),
            1,
            "only the chip is a button"
        );
        assert!(markup.contains("+2.5 s latency"));
    }
}
