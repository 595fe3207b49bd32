//! The safeguards a person can switch off to see why they exist, as one vocabulary: the page's
//! switches, the link and the tests iterate [`Safeguard::ALL`].
//!
//! A new safeguard is a field of [`Safeguards`] and a variant here: `get` and `set` name every
//! field, so the first does not compile without the second.

use super::scenario::Safeguards;

/// One safeguard of [`Safeguards`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Safeguard {
    /// [`Safeguards::idempotency`].
    Idempotency,
    /// [`Safeguards::semantic_lock`].
    SemanticLock,
    /// [`Safeguards::outbox`].
    Outbox,
}

impl Safeguard {
    /// Every safeguard, in the order the page lists them.
    pub const ALL: [Safeguard; 3] = [
        Safeguard::Idempotency,
        Safeguard::SemanticLock,
        Safeguard::Outbox,
    ];

    /// The stable snake_case name: the field of [`Safeguards`] in JSON, and the name in a link.
    pub fn as_str(self) -> &'static str {
        match self {
            Safeguard::Idempotency => "idempotency",
            Safeguard::SemanticLock => "semantic_lock",
            Safeguard::Outbox => "outbox",
        }
    }

    /// The safeguard named by [`Safeguard::as_str`].
    pub fn parse(name: &str) -> Option<Safeguard> {
        Safeguard::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// What the switch says.
    pub fn label(self) -> &'static str {
        match self {
            Safeguard::Idempotency => "Idempotent consumers",
            Safeguard::SemanticLock => "Semantic lock",
            Safeguard::Outbox => "Transactional outbox",
        }
    }

    /// What it protects, and what switching it off shows.
    pub fn explanation(self) -> &'static str {
        match self {
            Safeguard::Idempotency => {
                "Services remember what they processed (idempotency keys, processed-message tables); off, a duplicate takes effect twice"
            }
            Safeguard::SemanticLock => {
                "A saga's pending hold locks the slot against other sagas until it is released; off, two sagas can take the same table"
            }
            Safeguard::Outbox => {
                "Choreography: a service writes its change and the event to publish in one local transaction, and a relay publishes it; off, a crash between commit and publish loses the event"
            }
        }
    }
}

impl Safeguards {
    /// Whether `safeguard` is on.
    pub fn get(&self, safeguard: Safeguard) -> bool {
        let Safeguards {
            idempotency,
            semantic_lock,
            outbox,
        } = self;
        match safeguard {
            Safeguard::Idempotency => *idempotency,
            Safeguard::SemanticLock => *semantic_lock,
            Safeguard::Outbox => *outbox,
        }
    }

    /// Switches `safeguard` on or off.
    pub fn set(&mut self, safeguard: Safeguard, on: bool) {
        let Safeguards {
            idempotency,
            semantic_lock,
            outbox,
        } = self;
        let field = match safeguard {
            Safeguard::Idempotency => idempotency,
            Safeguard::SemanticLock => semantic_lock,
            Safeguard::Outbox => outbox,
        };
        *field = on;
    }

    /// The same safeguards with `safeguard` switched on or off.
    #[must_use]
    pub fn with(&self, safeguard: Safeguard, on: bool) -> Self {
        let mut out = self.clone();
        out.set(safeguard, on);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_switch_moves_its_own_field_only() {
        for safeguard in Safeguard::ALL {
            let off = Safeguards::default().with(safeguard, false);
            for other in Safeguard::ALL {
                assert_eq!(
                    off.get(other),
                    other != safeguard,
                    "{safeguard:?}/{other:?}"
                );
            }
            assert_eq!(off.with(safeguard, true), Safeguards::default());
        }
        assert!(Safeguard::ALL.iter().all(|s| Safeguards::default().get(*s)));
    }

    #[test]
    fn names_are_the_json_fields_and_parse_back() {
        let json = serde_json::to_string(&Safeguards::default()).unwrap();
        let mut names: Vec<&str> = Safeguard::ALL.iter().map(|s| s.as_str()).collect();
        for safeguard in Safeguard::ALL {
            assert!(
                json.contains(&format!("\"{}\":", safeguard.as_str())),
                "{json}"
            );
            assert_eq!(Safeguard::parse(safeguard.as_str()), Some(safeguard));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Safeguard::ALL.len());
        // Every field of the JSON is a switch.
        assert_eq!(json.matches(':').count(), Safeguard::ALL.len(), "{json}");
        assert_eq!(Safeguard::parse("outbox_relay"), None);
    }
}
