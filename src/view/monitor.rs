//! The invariant monitor as drawn: a short name per invariant and a line saying how it stands.

use crate::engine::invariants::InvariantStatus;

use super::format::seconds;

/// A short name for invariant `n` (1–7) that fits one line; the full statement goes in a tooltip.
pub fn short_name(n: u8) -> &'static str {
    match n {
        1 => "Every saga ends properly",
        2 => "Undo only what was done, once",
        3 => "Each action at most once",
        4 => "Attempts within the limit",
        5 => "No message lost",
        6 => "Money adds up, no double booking",
        7 => "Same seed, same trace",
        _ => "Invariant",
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_invariant_has_a_short_name() {
        for n in 1..=7 {
            assert_ne!(short_name(n), "Invariant");
            assert!(short_name(n).len() <= 34, "{n}: too long for one line");
        }
    }

    #[test]
    fn a_broken_invariant_says_when_and_what() {
        let s = InvariantStatus {
            invariant: 3,
            name: String::new(),
            holds: false,
            checked: true,
            broken_at: Some((2_500, 41)),
            detail: Some("saga 1 charged twice".to_string()),
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
