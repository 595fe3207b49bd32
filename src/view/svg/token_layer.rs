//! The messages in flight as tokens: a layer of their own over the diagram, which the page
//! redraws as the clock moves.

use crate::engine::message::MessageId;
use crate::view::format::{saga_colour, saga_letter, Num};
use crate::view::html::Html;
use crate::view::tokens::{progress, Token};

use super::parts::text;

/// The messages in flight at `now_ms`, as tokens: a square for a command, a circle for a reply,
/// a diamond for an event, each with its saga's letter and what it carries.
///
/// With `jump` (the person prefers reduced motion) a token in flight does not glide: it stands
/// still halfway along its edge until it arrives.
pub fn tokens_svg(tokens: &[Token], now_ms: f64, lit: Option<MessageId>, jump: bool) -> String {
    let mut out = Html::with_capacity(tokens.len() * 400);
    for t in tokens {
        let at = if jump && now_ms < t.arrive_ms as f64 {
            (t.sent_ms + t.arrive_ms) as f64 / 2.0
        } else {
            now_ms
        };
        let (p, waiting) = t.position(at);
        let letter = saga_letter(t.saga);
        out.push(r#"<g class="token token--"#)
            .push(t.class)
            .push(" saga-")
            .push_plain(saga_colour(t.saga))
            .push(if lit == Some(t.id) { " token--lit" } else { "" })
            .push(if waiting { " token--waiting" } else { "" })
            .push(if t.duplicate { " token--duplicate" } else { "" })
            .push(r#"" data-message=""#)
            .push_plain(t.id)
            .push(r#"" data-progress=""#)
            .push_plain(Num(progress(t.sent_ms, t.arrive_ms, at)))
            .push(r#"" transform="translate("#)
            .push_plain(Num(p.x))
            .push(" ")
            .push_plain(Num(p.y))
            .push(r#")"><title>"#)
            .push(t.class)
            .push(" ")
            .push_text(&t.label)
            .push(" · saga ")
            .push_plain(letter)
            .push(if t.duplicate { " (duplicate)" } else { "" })
            .push(r#"</title><path class="token__shape""#)
            .push_attr("d", &t.shape.path(10.0))
            .push("/>");
        text(
            &mut out,
            "token__letter",
            0.0,
            4.5,
            Some("middle"),
            &letter.to_string(),
        );
        // Near the right edge the label goes on the left of the token, to stay in view.
        if p.x > crate::view::layout::VIEW_W - 190.0 {
            text(&mut out, "token__label", -16.0, 5.0, Some("end"), &t.label);
        } else {
            text(&mut out, "token__label", 16.0, 5.0, None, &t.label);
        }
        out.push("</g>");
    }
    out.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::presets;
    use crate::engine::scenario::Coordination;
    use crate::engine::scenario::Storage;
    use crate::engine::sim::Simulation;
    use crate::view::svg::testing::*;
    use crate::view::tokens::tokens;

    #[test]
    fn tokens_are_drawn_by_class_and_position() {
        let s = sim("happy-path", Coordination::Orchestration, 500);
        let snapshot = s.snapshot();
        let all = tokens(
            &snapshot.in_flight,
            &s.scenario().definition,
            Coordination::Orchestration,
        );
        assert!(!all.is_empty());
        let markup = tokens_svg(&all, 600.0, Some(all[0].id), false);
        assert!(markup.contains("token token--command saga-0 token--lit"));
        assert!(markup.contains("Create reservation"));
    }

    #[test]
    fn with_reduced_motion_a_token_stands_still_while_it_flies() {
        let scenario = presets::scenario(
            "happy-path",
            Coordination::Orchestration,
            Storage::PerService,
            1,
        )
        .unwrap();
        let mut sim = Simulation::new(scenario).unwrap();
        sim.advance_to(1);
        let snapshot = sim.snapshot();
        let all = tokens(
            &snapshot.in_flight,
            &sim.scenario().definition,
            Coordination::Orchestration,
        );
        let t = all.first().expect("a message in flight");
        let early = t.sent_ms as f64 + 1.0;
        let late = t.arrive_ms as f64 - 1.0;
        assert_eq!(
            tokens_svg(&all, early, None, true),
            tokens_svg(&all, late, None, true)
        );
        assert_ne!(
            tokens_svg(&all, early, None, false),
            tokens_svg(&all, late, None, false)
        );
    }
}
