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
    /// [`Safeguards::commutative_updates`].
    CommutativeUpdates,
    /// [`Safeguards::reread_value`].
    RereadValue,
    /// [`Safeguards::pessimistic_view`].
    PessimisticView,
    /// [`Safeguards::by_value`].
    ByValue,
    /// [`Safeguards::version_file`].
    VersionFile,
}

/// Which part of the menu a switch belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SafeguardGroup {
    /// Against failures: duplicates, crashes between commit and publish.
    Failures,
    /// Against concurrent sagas: the countermeasures for a saga's missing isolation.
    Isolation,
}

impl Safeguard {
    /// Every safeguard, in the order the page lists them.
    pub const ALL: [Safeguard; 8] = [
        Safeguard::Idempotency,
        Safeguard::SemanticLock,
        Safeguard::Outbox,
        Safeguard::CommutativeUpdates,
        Safeguard::RereadValue,
        Safeguard::PessimisticView,
        Safeguard::ByValue,
        Safeguard::VersionFile,
    ];

    /// Whether a run has it on unless it is switched off.
    pub fn on_by_default(self) -> bool {
        Safeguards::default().get(self)
    }

    /// Its part of the menu.
    pub fn group(self) -> SafeguardGroup {
        match self {
            Safeguard::Idempotency | Safeguard::Outbox => SafeguardGroup::Failures,
            Safeguard::SemanticLock
            | Safeguard::CommutativeUpdates
            | Safeguard::RereadValue
            | Safeguard::PessimisticView
            | Safeguard::ByValue
            | Safeguard::VersionFile => SafeguardGroup::Isolation,
        }
    }

    /// The stable snake_case name: the field of [`Safeguards`] in JSON, and the name in a link.
    pub fn as_str(self) -> &'static str {
        match self {
            Safeguard::Idempotency => "idempotency",
            Safeguard::SemanticLock => "semantic_lock",
            Safeguard::Outbox => "outbox",
            Safeguard::CommutativeUpdates => "commutative_updates",
            Safeguard::RereadValue => "reread_value",
            Safeguard::PessimisticView => "pessimistic_view",
            Safeguard::ByValue => "by_value",
            Safeguard::VersionFile => "version_file",
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
            Safeguard::CommutativeUpdates => "Commutative updates",
            Safeguard::RereadValue => "Reread value",
            Safeguard::PessimisticView => "Pessimistic view",
            Safeguard::ByValue => "By value",
            Safeguard::VersionFile => "Version file",
        }
    }

    /// What it protects, and what switching it off shows.
    pub fn explanation(self) -> &'static str {
        match self {
            Safeguard::Idempotency => {
                "Services remember what they processed (idempotency keys, processed-message tables); off, a duplicate takes effect twice"
            }
            Safeguard::SemanticLock => {
                "Calendar counts a slot booked by another saga as taken, and a saga that updates a shared record (tables left, a gift card) marks it PENDING until it completes or is compensated, so that others wait; off, two sagas can take the same table"
            }
            Safeguard::CommutativeUpdates => {
                "A shared record is changed in place (one table fewer, the amount off the card) on its value at the write, instead of written back from the value read; off, two overlapping updates lose one"
            }
            Safeguard::RereadValue => {
                "Before writing a shared record a service checks it still holds the value read, and if not writes nothing and the step is tried again; off, a write can overwrite another saga's"
            }
            Safeguard::PessimisticView => {
                "The saga charges the card only after the table is booked, so that a booking refused for want of a table never takes money that other sagas would see and then be refunded; the restaurant can still reject after the charge"
            }
            Safeguard::ByValue => {
                "The mechanism follows the request's risk: a charge of €50 or more marks its records PENDING as the semantic lock does, and every saga honours the flag; smaller requests go the naive way and can still race"
            }
            Safeguard::VersionFile => {
                "Each service records the operations it performs for a saga, and refuses an action that arrives after its compensation; it does not stop a duplicate from taking effect twice (idempotency does)"
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
        *self.clone().field(safeguard)
    }

    /// Switches `safeguard` on or off.
    pub fn set(&mut self, safeguard: Safeguard, on: bool) {
        *self.field(safeguard) = on;
    }

    /// The switch that holds `safeguard`; destructured so that a new field must be named here.
    fn field(&mut self, safeguard: Safeguard) -> &mut bool {
        let Safeguards {
            idempotency,
            semantic_lock,
            outbox,
            commutative_updates,
            reread_value,
            pessimistic_view,
            by_value,
            version_file,
        } = self;
        match safeguard {
            Safeguard::Idempotency => idempotency,
            Safeguard::SemanticLock => semantic_lock,
            Safeguard::Outbox => outbox,
            Safeguard::CommutativeUpdates => commutative_updates,
            Safeguard::RereadValue => reread_value,
            Safeguard::PessimisticView => pessimistic_view,
            Safeguard::ByValue => by_value,
            Safeguard::VersionFile => version_file,
        }
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
            let default = safeguard.on_by_default();
            let flipped = Safeguards::default().with(safeguard, !default);
            for other in Safeguard::ALL {
                assert_eq!(
                    flipped.get(other) != other.on_by_default(),
                    other == safeguard,
                    "{safeguard:?}/{other:?}"
                );
            }
            assert_eq!(flipped.with(safeguard, default), Safeguards::default());
        }
        // The failure safeguards are on unless switched off; the isolation countermeasures
        // other than the semantic lock are alternatives a person switches on.
        let on: Vec<Safeguard> = Safeguard::ALL
            .into_iter()
            .filter(|s| s.on_by_default())
            .collect();
        assert_eq!(
            on,
            [
                Safeguard::Idempotency,
                Safeguard::SemanticLock,
                Safeguard::Outbox
            ]
        );
    }

    #[test]
    fn names_are_the_json_fields_and_parse_back() {
        let all_on = Safeguard::ALL
            .into_iter()
            .fold(Safeguards::default(), |s, g| s.with(g, true));
        let json = serde_json::to_string(&all_on).unwrap();
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
