//! The messages in flight as tokens: a layer of their own over the diagram, which the page
//! redraws as the clock moves.

use crate::engine::message::MessageId;
use crate::view::format::{saga_colour, saga_letter, Num};
use crate::view::html::Html;
use crate::view::layout::Size;
use crate::view::tokens::{progress, Token};

use super::parts::text;

/// The messages in flight at `now_ms`, as tokens: a square for a command, a circle for a reply,
/// a diamond for an event, each with its saga's letter and what it carries.
///
/// With `jump` (the person prefers reduced motion) a token in flight does not glide: it stands
/// still halfway along its edge until it arrives.
pub fn tokens_svg(tokens: &[Token], now_ms: f64, lit: Option<MessageId>, jump: bool) -> String {
    tokens_svg_in(Size::Normal, tokens, now_ms, lit, jump)
}

/// The tokens as [`tokens_svg`] draws them, in a drawing (presenter mode's are larger, for
/// their larger letters and labels).
pub fn tokens_svg_in(
    size: Size,
    tokens: &[Token],
    now_ms: f64,
    lit: Option<MessageId>,
    jump: bool,
) -> String {
    let big = size.is_presenter();
    let (r, letter_y, gap, label_room) = if big {
        (14.0, 6.5, 20.0, 250.0)
    } else {
        (10.0, 4.5, 16.0, 190.0)
    };
    let view_w = size.view().0;
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
            .push(r#"" data-saga=""#)
            .push_plain(letter)
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
            .push_attr("d", &t.shape.path(r))
            .push("/>");
        text(
            &mut out,
            "token__letter",
            0.0,
            letter_y,
            Some("middle"),
            &letter.to_string(),
        );
        // Near the right edge the label goes on the left of the token, to stay in view.
        if p.x > view_w - label_room {
            text(
                &mut out,
                "token__label",
                -gap,
                letter_y + 0.5,
                Some("end"),
                &t.label,
            );
        } else {
            text(
                &mut out,
                "token__label",
                gap,
                letter_y + 0.5,
                None,
                &t.label,
            );
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

    #[test]
    fn every_token_says_whose_it_is() {
        let s = sim("two-customers", Coordination::Choreography, 1_500);
        let snapshot = s.snapshot();
        let all = tokens(
            &snapshot.in_flight,
            &s.scenario().definition,
            Coordination::Choreography,
        );
        let markup = tokens_svg(&all, 1_500.0, None, false);
        for t in &all {
            let letter = saga_letter(t.saga);
            assert!(markup.contains(&format!(
                r#"saga-{}" data-saga="{letter}" data-message="{}""#,
                saga_colour(t.saga),
                t.id
            )));
        }
        assert!(markup.contains(r#"data-saga="A""#) && markup.contains(r#"data-saga="B""#));
    }

    /// The declarations of the first rule whose selector is `selector`.
    fn rule<'a>(css: &'a str, selector: &str) -> &'a str {
        let at = css
            .find(&format!("{selector} {{"))
            .unwrap_or_else(|| panic!("no rule {selector}"));
        let body = &css[at + selector.len() + 2..];
        &body[..body.find('}').expect("closed")]
    }

    /// A custom property's colour in a rule, as 0–1 sRGB channels.
    fn colour(rule: &str, name: &str) -> Option<[f64; 3]> {
        let at = rule.find(&format!("{name}:"))?;
        let value = rule[at + name.len() + 1..].trim_start();
        let hex = value.strip_prefix('#')?;
        let hex: String = hex.chars().take_while(char::is_ascii_hexdigit).collect();
        let hex = match hex.len() {
            3 => hex.chars().flat_map(|c| [c, c]).collect(),
            _ => hex,
        };
        let channel = |i: usize| f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        Some([channel(0), channel(2), channel(4)])
    }

    fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
        let lum = |c: [f64; 3]| {
            let l = |x: f64| {
                if x <= 0.03928 {
                    x / 12.92
                } else {
                    ((x + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * l(c[0]) + 0.7152 * l(c[1]) + 0.0722 * l(c[2])
        };
        let (x, y) = (lum(a) + 0.05, lum(b) + 0.05);
        x.max(y) / x.min(y)
    }

    #[test]
    fn the_saga_colours_read_on_both_themes() {
        let main = include_str!("../../../style/main.css");
        let sagas = include_str!("../../../style/sagas.css");
        let light = rule(sagas, ":root");
        let dark = rule(sagas, r#":root[data-theme="dark"]"#);
        // The system's dark preference gets the same colours as the dark switch.
        assert_eq!(
            rule(sagas, r#":root:not([data-theme="light"])"#),
            &dark.replace('\n', "\n  ")
        );
        for (theme, own, surfaces) in [
            ("light", light, rule(main, ":root")),
            ("dark", dark, rule(main, r#":root[data-theme="dark"]"#)),
        ] {
            let mut seen = Vec::new();
            for n in 0..6 {
                let name = format!("--saga-{n}");
                let ink = format!("--saga-{n}-ink");
                let c = colour(own, &name)
                    .or_else(|| colour(light, &name))
                    .expect("colour");
                let i = colour(own, &ink)
                    .or_else(|| colour(light, &ink))
                    .expect("ink");
                // Tokens, badges and tabs stand out from the diagram and the page (3:1, as for
                // graphics); their letters read on them (4.5:1, as for text).
                for bg in ["--surface", "--surface-2", "--bg"] {
                    let b = colour(surfaces, bg).expect("surface");
                    let k = contrast(c, b);
                    assert!(k >= 3.0, "{theme} {name} on {bg}: {k:.2}");
                }
                let k = contrast(c, i);
                assert!(k >= 4.5, "{theme} {name} ink: {k:.2}");
                // Each distinct from the others.
                for (m, other) in &seen {
                    let d: f64 = c
                        .iter()
                        .zip(other)
                        .map(|(a, b): (&f64, &f64)| (a - b).abs())
                        .sum();
                    assert!(d > 0.3, "{theme} --saga-{m} and {name} look alike");
                }
                seen.push((n, c));
            }
        }
        // A lone saga keeps the blue it always had on the light theme; the dark theme has the
        // lighter sky blue (the deep blue reads under 3:1 on --surface-2 there).
        assert_eq!(
            colour(light, "--saga-0"),
            colour(rule(main, ":root"), "--saga-0")
        );
        assert!(colour(dark, "--saga-0").is_some());
    }
}
