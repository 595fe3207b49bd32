//! The invariant monitor as drawn: a short name per invariant and a line saying how it stands.

use crate::engine::invariants::{Invariant, InvariantStatus};

use super::format::seconds;

/// A short name for invariant `n` (1–10) that fits one line; the full statement goes in a tooltip.
pub fn short_name(n: u8) -> &'static str {
    Invariant::from_number(n).map_or("Invariant", Invariant::short_name)
}

/// How an invariant stands, in words: `holds`, or when and how it broke.
pub fn standing(status: &InvariantStatus) -> String {
    if !status.checked {
        return "checked when the run ends".to_string();
    }
    if status.holds {
        return "holds".to_string();
    }
    let when = status
        .broken_at
        .map(|(ms, seq)| format!("broken at {} (event {seq})", seconds(ms)))
        .unwrap_or_else(|| "broken".to_string());
    match &status.detail {
        Some(detail) => format!("{when}: {detail}"),
        None => when,
    }
}

/// The row's tooltip: the statement, and the sagas the check leaves aside with why.
pub fn title(status: &InvariantStatus) -> String {
    let mut text = status.name.clone();
    if let Some(v) = &status.violation {
        if let Some(step) = v.step {
            text.push_str(&format!(" — first broken at step {step}"));
        }
    }
    for exemption in &status.exemptions {
        text.push_str(&format!(" — left aside: {exemption}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_invariant_has_a_short_name() {
        for n in 1..=10 {
            assert_ne!(short_name(n), "Invariant");
            assert!(short_name(n).len() <= 34, "{n}: too long for one line");
        }
    }

    #[test]
    fn a_broken_invariant_says_when_and_what() {
        let s = InvariantStatus {
            invariant: 3,
            name: String::new(),
            key: String::new(),
            short_name: String::new(),
            holds: false,
            checked: true,
            broken_at: Some((2_500, 41)),
            detail: Some("saga 1 charged twice".to_string()),
            violation: None,
            exemptions: Vec::new(),
        };
        assert_eq!(
            standing(&s),
            "broken at 2.50 s (event 41): saga 1 charged twice"
        );
        let ok = InvariantStatus {
            holds: true,
            broken_at: None,
            detail: None,
            ..s
        };
        assert_eq!(standing(&ok), "holds");
        let pending = InvariantStatus {
            invariant: 7,
            checked: false,
            ..ok
        };
        assert_eq!(standing(&pending), "checked when the run ends");
    }
}
