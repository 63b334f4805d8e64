//! Declarations written once: a unit enum's string table, and the plumbing of
//! the typed record union.

/// A unit enum whose string form is stable on the wire and on disk.
///
/// `as_str`, `parse`, `ALL`, `Display` and serde all come from the one list of
/// `Variant = "text"` pairs, so a new variant cannot be forgotten in any of
/// them: the list is the enum.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: [$name; <[&str]>::len(&[$($text),+])] = [$($name::$variant),+];

            /// The stable string form.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $( $text => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&text).ok_or_else(|| {
                    serde::de::Error::unknown_variant(&text, &[$($text),+])
                })
            }
        }
    };
}

/// The typed union of replicated records: `Kind` (with its string table),
/// `Record`, and the per-kind dispatch of key and JSON, from one list of
/// `Variant(Type) = "kind"` entries. The key of each record type comes from
/// its [`Keyed`](crate::record::Keyed) impl.
macro_rules! records {
    ( $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+ ) => {
        string_enum! {
            /// The kinds of replicated record. The string form is stable on the wire and on disk.
            pub enum Kind {
                $( $(#[$vmeta])* $variant = $text, )+
            }
        }

        /// Any replicated record, typed.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Record {
            $( $variant($variant), )+
        }

        impl Record {
            pub fn kind(&self) -> Kind {
                match self {
                    $( Record::$variant(_) => Kind::$variant, )+
                }
            }

            /// The record's stable key within its kind.
            pub fn key(&self) -> String {
                match self {
                    $( Record::$variant(r) => r.key(), )+
                }
            }

            pub fn to_json(&self) -> String {
                // Serialising these plain structs cannot fail: no maps with non-string keys.
                match self {
                    $( Record::$variant(r) => serde_json::to_string(r).unwrap_or_default(), )+
                }
            }

            pub fn to_value(&self) -> serde_json::Value {
                match self {
                    $( Record::$variant(r) => serde_json::to_value(r).unwrap_or_default(), )+
                }
            }

            pub fn from_json(kind: Kind, data: &str) -> Result<Record, RecordError> {
                let err = |source| RecordError::Malformed { kind: kind.as_str(), source };
                Ok(match kind {
                    $( Kind::$variant => Record::$variant(serde_json::from_str(data).map_err(err)?), )+
                })
            }

            pub fn from_value(kind: Kind, data: serde_json::Value) -> Result<Record, RecordError> {
                let err = |source| RecordError::Malformed { kind: kind.as_str(), source };
                Ok(match kind {
                    $( Kind::$variant => Record::$variant(serde_json::from_value(data).map_err(err)?), )+
                })
            }
        }

        $(
            impl From<$variant> for Record {
                fn from(r: $variant) -> Record {
                    Record::$variant(r)
                }
            }
        )+
    };
}
