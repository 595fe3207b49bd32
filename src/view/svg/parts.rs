//! The pieces every node of the diagram is built from: its head (box, title, status), a line of
//! text, its fault chips and its step rows.

use crate::engine::definition::StepKind;
use crate::engine::message::SagaId;
use crate::engine::sim::{StepState, StepStatus};
use crate::view::faults::{chip_label, fault_node};
use crate::view::format::{saga_colour, saga_letter, Num};
use crate::view::html::Html;
use crate::view::layout::{bold_text_width, NodeKey, Rect};
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
    out: &mut Html,
    state: &Drawing<'_>,
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
    out.push(r#"<g class=""#)
        .push_text(class)
        .push(if selected { " is-selected" } else { "" })
        .push(if lit { " is-lit" } else { "" })
        .push(r#"" transform="translate("#)
        .push_plain(Num(rect.x))
        .push(" ")
        .push_plain(Num(rect.y))
        .push(r#")""#)
        .push_attr("data-testid", &id)
        .push_attr("data-node", &id);
    if let Some(status) = status {
        out.push_attr("data-status", status);
    }
    if let Some(count) = count {
        out.push(r#" data-count=""#).push_plain(count).push(r#"""#);
    }
    // A labelled group, not a button: it holds the fault chips, buttons of their own, and its
    // steps stay readable one by one (a button's contents are read only as its name).
    out.push(r#" tabindex="0" role="group""#)
        .push_attr("aria-label", label)
        .push(r#"><rect class="saga-node__box" width=""#)
        .push_plain(Num(rect.w))
        .push(r#"" height=""#)
        .push_plain(Num(rect.h))
        .push(r#"" rx="12"/>"#);
}

pub(super) fn text(
    out: &mut Html,
    class: &'static str,
    x: f64,
    y: f64,
    anchor: Option<&'static str>,
    content: &str,
) {
    out.push_svg_text(class, (x, y), anchor, content);
}

/// Chips for the active faults shown on a node; each removes its fault when activated.
pub(super) fn fault_chips(
    out: &mut Html,
    state: &Drawing<'_>,
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
    // Presenter mode's chips are larger, for their larger type.
    let big = state.size.is_presenter();
    let (font, pad, h, base) = if big {
        (P_CHIP_FONT, 34.0, 26.0, 19.0)
    } else {
        (12.0, 34.0, 21.0, 15.0)
    };
    for (i, f) in chips.iter().enumerate() {
        let full = chip_label(f, state.scenario);
        let mut label = full.clone();
        let long = f.spec.describe(state.scenario);
        let measure = |l: &str| {
            if big {
                bold_text_width(&format!("⚡{l}"), font) + pad
            } else {
                text_width(l, font) + pad
            }
        };
        if big && i == 0 {
            // Presenter mode: a first chip wider than its room is cut short (its title and
            // name say it whole).
            while label.chars().count() > 1 && measure(&label) > width {
                label.pop();
                label.pop();
                label.push('…');
            }
        }
        let w = measure(&label);
        if left + w > x + width && i > 0 {
            text(
                out,
                "fault-chip__more",
                left + 2.0,
                y + base,
                None,
                &format!("+{}", chips.len() - i),
            );
            break;
        }
        out.push(r#"<g class="fault-chip" transform="translate("#)
            .push_plain(Num(left))
            .push(" ")
            .push_plain(Num(y))
            .push(r#")" data-chip=""#)
            .push_plain(f.id)
            .push(r#"" tabindex="0" role="button""#)
            .push_attr("aria-label", &format!("{full}: remove fault ({long})"))
            .push("><title>")
            .push_text(&long)
            .push(r#" (click to remove)</title><rect class="fault-chip__box" width=""#)
            .push_plain(Num(w))
            .push(r#"" height=""#)
            .push_units(units(h))
            .push(r#"" rx=""#)
            .push_units(units(h / 2.0))
            .push(r#""/>"#);
        text(
            out,
            "fault-chip__text",
            9.0,
            base,
            None,
            &format!("⚡{label}"),
        );
        // The ✕ only draws "remove": the name says it in words.
        out.push(r#"<text class="fault-chip__x" x=""#)
            .push_plain(Num(w - font * 1.25))
            .push(r#"" y=""#)
            .push_plain(Num(base))
            .push(r#"" aria-hidden="true">✕</text></g>"#);
        left += w + 5.0;
    }
}

/// The saga a node's rows belong to, when several sagas run (then each row carries its letter,
/// in its colour); `None` with one saga.
pub(super) type RowSaga = Option<SagaId>;

/// Opens a step row's group: its classes, status and saga (the rest of the tag is the caller's).
fn open_row(out: &mut Html, extra: &'static str, status: StepStatus, saga: RowSaga) {
    let status = status.as_str();
    out.push(r#"<g class="saga-step saga-step--"#)
        .push(status)
        .push(extra);
    if let Some(saga) = saga {
        out.push(" saga-step--lettered saga-")
            .push_plain(saga_colour(saga));
    }
    out.push(r#"""#);
    if let Some(saga) = saga {
        out.push(r#" data-saga=""#)
            .push_plain(saga_letter(saga))
            .push(r#"""#);
    }
}

/// A length as the markup has always printed it: whole numbers without a decimal point.
fn units(v: f64) -> Units {
    let whole = v.round();
    if (v - whole).abs() < 1e-9 && whole.abs() < 1e9 {
        Units::Whole(whole as i64)
    } else {
        Units::Tenths(Num(v))
    }
}

/// A length to print: whole, or to a tenth.
enum Units {
    Whole(i64),
    Tenths(Num),
}

/// Appends a length (see [`units`]).
trait PushUnits {
    fn push_units(&mut self, v: Units) -> &mut Self;
}

impl PushUnits for Html {
    fn push_units(&mut self, v: Units) -> &mut Self {
        match v {
            Units::Whole(n) => self.push_plain(n),
            Units::Tenths(n) => self.push_plain(n),
        }
    }
}

/// A fault chip's text size in presenter mode (as `presenter-diagram.css` draws it).
pub(super) const P_CHIP_FONT: f64 = 20.0;

/// The measures of a step row: the normal drawing's, or presenter mode's (larger type).
#[derive(Clone, Copy)]
pub(super) struct RowMetrics {
    /// Its height.
    pub(super) h: f64,
    /// Its text's baseline.
    base: f64,
    /// Where the name begins without and with a saga letter.
    pub(super) name_x: [f64; 2],
    /// Where the status icon is, without and with a saga letter.
    icon_x: [f64; 2],
    /// The kind badge's width and height.
    pub(super) badge: (f64, f64),
    /// The saga tab's width.
    tab: f64,
}

impl RowMetrics {
    pub(super) fn of(big: bool) -> RowMetrics {
        if big {
            RowMetrics {
                h: 30.0,
                base: 21.5,
                name_x: [33.0, 47.0],
                icon_x: [9.0, 24.0],
                badge: (28.0, 24.0),
                tab: 20.0,
            }
        } else {
            RowMetrics {
                h: 28.0,
                base: 19.0,
                name_x: [27.0, 35.0],
                icon_x: [9.0, 19.0],
                badge: (22.0, 20.0),
                tab: 16.0,
            }
        }
    }

    /// Where a row's name begins: right of its status icon (and of its saga's letter, if any).
    fn name_x(&self, saga: RowSaga) -> f64 {
        self.name_x[usize::from(saga.is_some())]
    }
}

pub(super) struct StepRow<'a> {
    pub(super) y: f64,
    pub(super) width: f64,
    pub(super) step: usize,
    pub(super) name: &'a str,
    pub(super) kind: StepKind,
    pub(super) state: StepState,
    pub(super) saga: RowSaga,
    pub(super) m: RowMetrics,
}

pub(super) fn step_row(out: &mut Html, row: StepRow<'_>) {
    let StepRow {
        y,
        width,
        step,
        name,
        kind,
        state,
        saga,
        m,
    } = row;
    let status = state.status.as_str();
    let (badge, kind_name) = kind_badge(kind);
    open_row(out, "", state.status, saga);
    out.push(r#" data-step=""#)
        .push_plain(step + 1)
        .push(r#"" data-kind=""#)
        .push(kind_name)
        .push(r#"" data-status=""#)
        .push(status)
        .push(r#"" transform="translate(10 "#)
        .push_plain(Num(y))
        .push(r#")"><title>Step "#)
        .push_plain(step + 1)
        .push(": ")
        .push_text(name)
        .push(" (")
        .push(kind_meaning(kind))
        .push("), ")
        .push(status);
    row_title_saga(out, saga);
    out.push("</title>");
    row_background(out, width, state.status, saga, m);
    let (bw, bh) = m.badge;
    out.push(r#"<text class="saga-step__name" x=""#)
        .push_plain(Num(m.name_x(saga)))
        .push(r#"" y=""#)
        .push_units(units(m.base))
        .push(r#""><tspan class="saga-step__n">"#)
        .push_plain(step + 1)
        .push("</tspan> ")
        .push_text(name)
        .push(r#"</text><g class="kind-badge kind-badge--"#)
        .push(kind_name)
        .push(r#"" transform="translate("#)
        .push_plain(Num(width - bw - 4.0))
        .push(" ")
        .push_units(units((m.h - bh) / 2.0))
        .push(r#")"><rect class="kind-badge__box" width=""#)
        .push_units(units(bw))
        .push(r#"" height=""#)
        .push_units(units(bh))
        .push(r#"" rx="4"/>"#);
    text(
        out,
        "kind-badge__text",
        bw / 2.0,
        bh * 0.75,
        Some("middle"),
        badge,
    );
    out.push("</g></g>");
}

/// ", saga A" at the end of a row's title, when several sagas run.
fn row_title_saga(out: &mut Html, saga: RowSaga) {
    if let Some(saga) = saga {
        out.push(", saga ").push_plain(saga_letter(saga));
    }
}

/// A row's rounded background, its saga's letter (when several sagas run) and its status icon.
fn row_background(out: &mut Html, width: f64, status: StepStatus, saga: RowSaga, m: RowMetrics) {
    out.push(r#"<rect class="saga-step__bg" width=""#)
        .push_plain(Num(width))
        .push(r#"" height=""#)
        .push_units(units(m.h))
        .push(r#"" rx="7"/>"#);
    if let Some(saga) = saga {
        // A tab on the row's left edge, in the saga's colour, with its letter.
        out.push(r#"<path class="saga-step__saga" d="M7 0 H"#)
            .push_units(units(m.tab))
            .push(" V")
            .push_units(units(m.h))
            .push(" H7 A7 7 0 0 1 0 ")
            .push_units(units(m.h - 7.0))
            .push(r#" V7 A7 7 0 0 1 7 0 Z"/>"#);
        text(
            out,
            "saga-step__letter",
            m.tab / 2.0,
            m.base - 0.5,
            Some("middle"),
            &saga_letter(saga).to_string(),
        );
    }
    text(
        out,
        "saga-step__icon",
        m.icon_x[usize::from(saga.is_some())],
        m.base,
        None,
        status_icon(status),
    );
}

pub(super) fn notice_row(
    out: &mut Html,
    y: f64,
    width: f64,
    state: StepState,
    saga: RowSaga,
    m: RowMetrics,
) {
    let status = state.status.as_str();
    let quiet = if state.status == StepStatus::Idle {
        " saga-step--notice saga-step--quiet"
    } else {
        " saga-step--notice"
    };
    open_row(out, quiet, state.status, saga);
    out.push(r#" data-notice="true" data-status=""#)
        .push(status)
        .push(r#"" transform="translate(10 "#)
        .push_plain(Num(y))
        .push(r#")"><title>After a failure, once every step is undone: tell the customer and the restaurant"#);
    row_title_saga(out, saga);
    out.push("</title>");
    row_background(out, width, state.status, saga, m);
    text(
        out,
        "saga-step__name",
        m.name_x(saga),
        m.base,
        None,
        "✉ Notify failure",
    );
    if state.attempts > 1 {
        text(
            out,
            "saga-step__tries",
            width - 8.0,
            m.base,
            Some("end"),
            &format!("×{}", state.attempts),
        );
    }
    out.push("</g>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fault::FaultSpec;

    use crate::view::svg::testing::*;

    #[test]
    fn a_compensation_out_of_retries_is_named_not_the_step_it_undoes() {
        for c in [Coordination::Orchestration, Coordination::Choreography] {
            let s = sim("compensation-fails", c, 120_000);
            let markup = svg(&s, 0, None);
            assert!(markup.contains("undo failed"), "{c:?}");
            assert!(markup.contains("</tspan> Refund payment</text>"), "{c:?}");
            assert!(markup.contains("✗ undo failed"), "{c:?}");
        }
        // A refused step stays named as itself.
        let s = sim("card-declined", Coordination::Orchestration, 120_000);
        let markup = svg(&s, 0, None);
        assert!(markup.contains("Charge card") && !markup.contains("undo failed"));
    }

    #[test]
    fn with_several_sagas_each_node_says_whose_status_it_shows() {
        let s = sim("two-customers", Coordination::Orchestration, 120_000);
        for saga in [0, 1] {
            let markup = svg(&s, saga, None);
            let letter = ['A', 'B'][saga];
            // One badge per service node, in the shown saga's colour.
            assert_eq!(
                markup
                    .matches(&format!(r#"<title>Shows saga {letter}</title>"#))
                    .count(),
                4
            );
            assert!(markup.contains(&format!(
                r#"class="saga-node__saga saga-{}""#,
                crate::view::format::saga_colour(saga)
            )));
        }
        let one = sim("happy-path", Coordination::Orchestration, 120_000);
        assert!(!svg(&one, 0, None).contains("saga-node__saga"));
    }

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

    #[test]
    fn presenter_chips_stay_inside_their_node() {
        use crate::view::layout::{node_rect_in, Size};
        let mut s = sim("happy-path", Coordination::Orchestration, 0);
        for fault in [
            FaultSpec::BusinessFailure {
                step: 4,
                saga: None,
            },
            FaultSpec::Latency {
                service: ServiceId::Reservation,
                extra_ms: 2_500,
            },
        ] {
            s.handle_command(crate::engine::scenario::Command::InjectFault { fault })
                .unwrap();
        }
        let markup = svg_in(Size::Presenter, &s, 0, None);
        let rect = node_rect_in(
            Size::Presenter,
            Coordination::Orchestration,
            NodeKey::Service(ServiceId::Reservation),
        )
        .unwrap();
        let at = markup.find(r#"data-testid="service-reservation""#).unwrap();
        let node = &markup[at..];
        let open = r#"<g class="fault-chip" transform="translate("#;
        let rest = &node[node.find(open).unwrap() + open.len()..];
        let x: f64 = rest[..rest.find(' ').unwrap()].parse().unwrap();
        let box_open = r#"class="fault-chip__box" width=""#;
        let w_at = rest.find(box_open).unwrap() + box_open.len();
        let w: f64 = rest[w_at..w_at + rest[w_at..].find('"').unwrap()]
            .parse()
            .unwrap();
        assert!(
            x + w <= rect.w - 10.0 + 1e-9,
            "chip at {x} + {w} leaves the node"
        );
        // Cut short, whole in its name; the second chip gives way to "+1".
        assert!(node.contains("…"), "the first chip is cut short");
        assert!(node.contains(r#"aria-label="Restaurant rejects: remove fault"#));
        assert!(node.contains(">+1<"));
    }
}
