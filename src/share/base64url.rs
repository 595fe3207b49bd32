//! Base64url without padding (RFC 4648 §5): the link's scenario payload.
//!
//! Written out here because it is a few dozen lines and the page's wasm has a size budget.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// What is wrong with a base64url text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Base64Error {
    /// A character outside the base64url alphabet, at this byte position.
    #[error("character {position} is not base64url")]
    BadCharacter {
        /// Byte position, from 0.
        position: usize,
    },
    /// The length leaves a lone character that cannot hold a whole byte.
    #[error("its length ({0} characters) cannot be base64url")]
    BadLength(usize),
    /// The last character carries bits that encode nothing (the text was altered).
    #[error("its last character is not a possible ending")]
    NonCanonical,
}

/// Encodes bytes as base64url, without padding.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = (n >> (18 - 6 * i)) & 0x3F;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

fn value_of(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes base64url without padding; rejects anything that [`encode`] would not produce.
pub fn decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return Err(Base64Error::BadLength(bytes.len()));
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3 + 2);
    for (c, chunk) in bytes.chunks(4).enumerate() {
        let mut n = 0u32;
        for (i, &ch) in chunk.iter().enumerate() {
            let v = value_of(ch).ok_or(Base64Error::BadCharacter {
                position: c * 4 + i,
            })?;
            n |= v << (18 - 6 * i);
        }
        let whole = chunk.len() - 1;
        let unused_bits = match chunk.len() {
            2 => n & 0xFFFF,
            3 => n & 0xFF,
            _ => 0,
        };
        if unused_bits != 0 {
            return Err(Base64Error::NonCanonical);
        }
        for i in 0..whole {
            // Truncation to the byte is the point of the shift.
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4648_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode(coded).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn every_byte_value_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        for len in 0..all.len() {
            assert_eq!(decode(&encode(&all[..len])).unwrap(), &all[..len]);
        }
        assert_eq!(encode(&[0xFB, 0xFF]), "-_8");
    }

    #[test]
    fn bad_text_is_refused() {
        assert_eq!(decode("Zm9vY"), Err(Base64Error::BadLength(5)));
        assert_eq!(
            decode("Zm+v"),
            Err(Base64Error::BadCharacter { position: 2 })
        );
        assert_eq!(decode("Zh"), Err(Base64Error::NonCanonical));
        assert_eq!(
            decode("Zm9="),
            Err(Base64Error::BadCharacter { position: 3 })
        );
    }
}
