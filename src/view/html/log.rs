//! The event log: every event of a run told as a line, and each line as markup.

use crate::engine::message::SagaId;
use crate::engine::sim::Simulation;

use super::attr_if;
use super::markup::Html;
use crate::view::command::Command;
use crate::view::format::{saga_colour, saga_letter, seconds};
use crate::view::layout::NodeKey;
use crate::view::story::{tell, Story, StoryContext};

/// One line of the event log: an event and its story.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The event's sequence number.
    pub seq: u64,
    /// When.
    pub at_ms: u64,
    /// Its saga.
    pub saga: Option<SagaId>,
    /// What it means.
    pub story: Story,
}

impl Line {
    /// Whether the event concerns a node (a service's queue counts as the service).
    pub fn concerns(&self, node: NodeKey) -> bool {
        self.story.nodes.iter().any(|n| {
            *n == node || matches!((n, node), (NodeKey::Queue(a), NodeKey::Service(b)) if *a == b)
        })
    }
}

/// Every event of a run, told.
pub fn lines(sim: &Simulation) -> Vec<Line> {
    lines_from(sim, 0)
}

/// The events of a run from number `from` on, told.
pub fn lines_from(sim: &Simulation, from: usize) -> Vec<Line> {
    let ctx = StoryContext {
        scenario: sim.scenario(),
        messages: sim.messages(),
        faults: sim.faults(),
        sagas: sim.sagas(),
        notifications: &sim.tables().notifications,
        trace: sim.trace(),
    };
    sim.trace()
        .iter()
        .skip(from)
        .map(|e| Line {
            seq: e.seq,
            at_ms: e.at_ms,
            saga: e.saga,
            story: tell(e, &ctx),
        })
        .collect()
}

pub(super) fn saga_badge(out: &mut Html, saga: Option<SagaId>) {
    match saga {
        Some(s) => {
            out.push(r#"<span class="badge saga-"#)
                .push_plain(saga_colour(s))
                .push(r#"">"#)
                .push_text(&saga_letter(s).to_string())
                .push("</span>");
        }
        None => {
            out.push(r#"<span class="badge badge--none"></span>"#);
        }
    }
}

/// One line of the event log.
pub fn log_line_html(line: &Line, selected: bool) -> String {
    let mut out = Html::with_capacity(256);
    out.push(r#"<li class="log__line log__line--"#)
        .push(line.story.tone.as_str())
        .push(attr_if(line.story.minor, " log__line--minor"))
        .push(attr_if(selected, " log__line--selected"))
        .push(r#"" "#)
        .push_command(Command::SelectEvent(line.seq))
        .push(r#" tabindex="0""#)
        .push(attr_if(selected, r#" aria-current="true""#))
        .push(r#"><span class="log__time">"#)
        .push_text(&seconds(line.at_ms))
        .push("</span>");
    saga_badge(&mut out, line.saga);
    out.push(r#"<span class="log__icon" aria-hidden="true">"#)
        .push_text(line.story.icon)
        .push(r#"</span><span class="log__text">"#)
        .push_text(&line.story.text)
        .push("</span></li>");
    out.into_string()
}
/// Over the diagram, where the class is looking: that the log shows only one node's events,
/// and a button (or Escape) to show them all again; nothing when the log is not filtered.
pub fn filter_chip_html(filter: Option<NodeKey>) -> String {
    let Some(node) = filter else {
        return String::new();
    };
    let mut out = Html::with_capacity(256);
    out.push(r#"<button type="button" class="filter-chip" "#)
        .push_command(Command::ShowAll)
        .push(r#" data-testid="diagram-filter" title="Show every event in the log again (Esc)">Log: "#)
        .push_text(&node.label())
        .push(r#" only <span class="filter-chip__x" aria-hidden="true">✕</span> <kbd>Esc</kbd></button>"#);
    out.into_string()
}

/// The log's head: how many events there are, or, filtered to a node, how many of them concern
/// it and a button to show them all again.
pub fn log_head_html(lines: &[Line], filter: Option<NodeKey>) -> String {
    let total = lines.len();
    let mut out = Html::with_capacity(256);
    match filter {
        None => {
            out.push(r#"<span class="panel__meta">"#)
                .push_plain(total)
                .push(" events</span>");
        }
        Some(node) => {
            let shown = lines.iter().filter(|l| l.concerns(node)).count();
            out.push(r#"<span class="log__filter">"#)
                .push_text(&node.label())
                .push(" only · ")
                .push_plain(shown)
                .push("/")
                .push_plain(total)
                .push(r#"<button type="button" class="btn btn--small" "#)
                .push_command(Command::ShowAll)
                .push(r#" data-testid="log-show-all">Show all</button></span>"#);
        }
    }
    out.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::definition::ServiceId;
    use crate::engine::scenario::Coordination;
    use crate::view::html::run;

    #[test]
    fn every_event_becomes_a_log_line() {
        let sim = run("card-declined", Coordination::Orchestration);
        let all = lines(&sim);
        assert_eq!(all.len(), sim.trace().len());
        let html = log_line_html(&all[0], true);
        assert!(html.starts_with(r#"<li class="log__line"#));
        assert!(html.contains(r#"data-action="select-event" data-seq="0""#));
        assert!(html.contains("log__line--selected"));
        assert!(html.contains(r#"aria-current="true""#));
        assert!(!log_line_html(&all[1], false).contains("aria-current"));
    }

    #[test]
    fn the_head_counts_the_events_and_those_of_the_node_filtered_to() {
        let sim = run("card-declined", Coordination::Orchestration);
        let all = lines(&sim);
        let total = all.len();
        assert_eq!(
            log_head_html(&all, None),
            format!(r#"<span class="panel__meta">{total} events</span>"#)
        );
        let payment = NodeKey::Service(ServiceId::Payment);
        let shown = all.iter().filter(|l| l.concerns(payment)).count();
        assert!(0 < shown && shown < total);
        let head = log_head_html(&all, Some(payment));
        assert!(head.contains(&format!("{} only · {shown}/{total}", payment.label())));
        assert!(head.contains(r#"data-action="show-all" data-testid="log-show-all""#));
        let chip = filter_chip_html(Some(payment));
        assert!(chip.contains(r#"data-action="show-all""#) && chip.contains("Log: Payment only"));
        assert!(filter_chip_html(None).is_empty());
    }

    #[test]
    fn a_queue_event_concerns_its_service() {
        let sim = run("happy-path", Coordination::Choreography);
        let all = lines(&sim);
        let received = all
            .iter()
            .find(|l| l.story.text.starts_with("Payment receives"))
            .unwrap();
        assert!(received.concerns(NodeKey::Service(ServiceId::Payment)));
        assert!(!received.concerns(NodeKey::Service(ServiceId::Calendar)));
    }

    #[test]
    fn events_told_from_a_point_are_the_tail_of_all_told() {
        let sim = run("transient-payment", Coordination::Choreography);
        let all = lines(&sim);
        for from in [0, 1, all.len() / 2, all.len()] {
            assert_eq!(lines_from(&sim, from), all[from..].to_vec());
        }
    }
}
