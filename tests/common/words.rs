//! Reading numbers back out of what the page writes, for the checks of its words: a count after a
//! prefix ("(attempt 3)") and a duration as the page writes one ("400 ms", "2 s", "2.5 s",
//! "2.00 s").

/// The whole number right after `prefix` in `text` ("(attempt " → 3).
pub fn number_after(text: &str, prefix: &str) -> Option<u64> {
    let at = text.find(prefix)? + prefix.len();
    let digits: String = text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The duration right after `prefix` in `text`, in milliseconds.
pub fn duration_after(text: &str, prefix: &str) -> Option<u64> {
    let at = text.find(prefix)? + prefix.len();
    let rest = &text[at..];
    let number: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let unit = rest[number.len()..].trim_start();
    let value: f64 = number.parse().ok()?;
    if unit.starts_with("ms") {
        Some(value as u64)
    } else if unit.starts_with('s') {
        Some((value * 1000.0).round() as u64)
    } else {
        None
    }
}
