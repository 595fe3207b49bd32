//! The grammar inside a link's list parameters: `~`-separated items of `.`-separated fields,
//! whole numbers, service names and percent-encoded text, each read with an error that says
//! what is wrong.

use crate::engine::definition::ServiceId;

use super::{shorten, LinkError};

pub(super) fn items(value: Option<&str>) -> impl Iterator<Item = &str> {
    value.into_iter().flat_map(|v| v.split('~'))
}

pub(super) fn item_error(
    param: &'static str,
    index: usize,
    item: &str,
    problem: String,
) -> LinkError {
    LinkError::BadItem {
        param,
        number: index + 1,
        item: shorten(item),
        problem,
    }
}

/// A whole number written in decimal digits only.
pub(super) fn number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    if text.is_empty() {
        return Err("a number is missing".to_string());
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{:?} is not a whole number", shorten(text)));
    }
    text.parse::<T>()
        .map_err(|_| format!("{} is too large", shorten(text)))
}

/// The `.`-separated fields of one item, read left to right.
pub(super) struct Fields<'a> {
    fields: Vec<&'a str>,
    next: usize,
}

impl<'a> Fields<'a> {
    pub(super) fn new(item: &'a str) -> Self {
        Self {
            fields: item.split('.').collect(),
            next: 0,
        }
    }

    pub(super) fn take(&mut self, what: &str) -> Result<&'a str, String> {
        let field = self
            .fields
            .get(self.next)
            .copied()
            .ok_or_else(|| format!("the {what} is missing"))?;
        self.next += 1;
        Ok(field)
    }

    pub(super) fn peek(&self) -> Option<&'a str> {
        self.fields.get(self.next).copied()
    }

    pub(super) fn number<T: std::str::FromStr>(&mut self, what: &str) -> Result<T, String> {
        let field = self.take(what)?;
        number(field).map_err(|p| format!("{what}: {p}"))
    }

    pub(super) fn service(&mut self) -> Result<ServiceId, String> {
        let field = self.take("service")?;
        parse_service(field)
    }

    /// An optional trailing `.SERVICE`.
    pub(super) fn optional_service(&mut self) -> Result<Option<ServiceId>, String> {
        match self.peek() {
            Some(_) => self.service().map(Some),
            None => Ok(None),
        }
    }

    /// An optional trailing `.sSAGA`.
    pub(super) fn optional_saga(&mut self) -> Result<Option<usize>, String> {
        match self.peek() {
            Some(field) => match field.strip_prefix('s') {
                Some(n) => {
                    self.next += 1;
                    number(n).map(Some).map_err(|p| format!("saga: {p}"))
                }
                None => Err(format!("{:?} should be a saga (s0, s1, …)", shorten(field))),
            },
            None => Ok(None),
        }
    }

    pub(super) fn finish<T>(self, value: T) -> Result<T, String> {
        match self.fields.get(self.next) {
            Some(extra) => Err(format!("{:?} is one field too many", shorten(extra))),
            None => Ok(value),
        }
    }
}

pub(super) fn parse_service(field: &str) -> Result<ServiceId, String> {
    ServiceId::parse(field).ok_or_else(|| {
        format!(
            "{:?} is not a service: use reservation, payment, calendar or notification",
            shorten(field)
        )
    })
}

/// Percent-encodes every byte but ASCII letters, digits, `-` and `_`.
pub(super) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

pub(super) fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let high = bytes.get(i + 1).copied().and_then(hex_digit);
            let low = bytes.get(i + 2).copied().and_then(hex_digit);
            match (high, low) {
                (Some(h), Some(l)) => out.push(h * 16 + l),
                _ => return Err("a % is not followed by two hex digits".to_string()),
            }
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "a name is not UTF-8 text".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_survive_percent_encoding() {
        for name in ["Ada", "Fri 19:30 · table 4", "a.b~c&d=e%f#g", "", "日本"] {
            assert_eq!(percent_decode(&percent_encode(name)).unwrap(), name);
        }
        assert!(percent_decode("%4").is_err());
        assert!(percent_decode("%zz").is_err());
        assert!(percent_decode("%FF").is_err());
    }
}
