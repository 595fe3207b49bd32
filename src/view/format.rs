//! Small formatting helpers shared by every view: times, money, saga letters.

use crate::engine::message::SagaId;

/// Simulated milliseconds as seconds people read: `1.93 s`.
pub fn seconds(ms: u64) -> String {
    format!("{}.{:02} s", ms / 1000, (ms % 1000) / 10)
}

/// A duration as a short text: `400 ms`, `2 s`, `2.5 s`.
pub fn duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{}.{} s", ms / 1000, (ms % 1000) / 100)
    }
}

/// An amount of money: `€40.00` (as the engine's notices write it).
pub fn money(cents: u64) -> String {
    crate::engine::tables::money(cents)
}

pub use crate::engine::message::saga_letter;

/// The colour slot of a saga (the stylesheet defines `--saga-0` … `--saga-5`).
pub fn saga_colour(saga: SagaId) -> usize {
    saga % 6
}

/// Names joined as people write them: "a, b and c" ("nothing" for none).
pub fn list(items: &[String]) -> String {
    match items {
        [] => "nothing".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// First letter in upper case: `card declined` → `Card declined`.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A coordinate or fraction written with one decimal (`12.5`, `-3.0`), by integer arithmetic:
/// markup needs no more precision, and the page then carries no float-printing code.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num(pub f64);

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Saturating and rounding to tenths; a non-finite value prints as 0.
        let tenths = if self.0.is_finite() {
            (self.0 * 10.0).round() as i64
        } else {
            0
        };
        let sign = if tenths < 0 { "-" } else { "" };
        let t = tenths.unsigned_abs();
        write!(f, "{sign}{}.{}", t / 10, t % 10)
    }
}

/// Escapes text for HTML or SVG markup (element content and quoted attribute values).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_one_decimal() {
        assert_eq!(Num(12.0).to_string(), "12.0");
        assert_eq!(Num(12.34).to_string(), "12.3");
        assert_eq!(Num(12.35).to_string(), "12.4");
        assert_eq!(Num(-0.26).to_string(), "-0.3");
        assert_eq!(Num(-0.04).to_string(), "0.0");
        assert_eq!(Num(f64::NAN).to_string(), "0.0");
    }

    #[test]
    fn escape_neutralises_markup() {
        assert_eq!(
            escape("<b a=\"x\">'&'</b>"),
            "&lt;b a=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/b&gt;"
        );
    }

    #[test]
    fn seconds_show_two_decimals() {
        assert_eq!(seconds(0), "0.00 s");
        assert_eq!(seconds(1_927), "1.92 s");
        assert_eq!(seconds(12_005), "12.00 s");
    }

    #[test]
    fn durations_are_short() {
        assert_eq!(duration(400), "400 ms");
        assert_eq!(duration(2_000), "2 s");
        assert_eq!(duration(2_500), "2.5 s");
    }

    #[test]
    fn money_has_cents() {
        assert_eq!(money(4_000), "€40.00");
        assert_eq!(money(6_005), "€60.05");
    }

    #[test]
    fn sagas_are_lettered_from_a() {
        assert_eq!(saga_letter(0), 'A');
        assert_eq!(saga_letter(1), 'B');
        assert_eq!(saga_colour(7), 1);
    }

    #[test]
    fn capitalise_first_letter_only() {
        assert_eq!(capitalise("card declined"), "Card declined");
        assert_eq!(capitalise(""), "");
    }
}
