//! Enums of fixed choices (a breach report's type of breach, a kind of evidence, a type of
//! indicator), declared once with `choices!`: each variant has its key, as the CLI, the
//! JSON and the CSV write it (serde uses it too), and its label, as people and forms read
//! it. `of` reads a key in any case, with `_` for `-`, and refuses any other with the list
//! of keys; `options` gives every (key, label) for a form to offer.

/// Declares an enum of fixed choices: each variant with its key and its label.
macro_rules! choices {
    ($(#[$doc:meta])* $name:ident, $what:literal {
        $($(#[$vdoc:meta])* $variant:ident = $key:literal, $label:literal;)*
    }) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        pub enum $name { $($(#[$vdoc])* #[serde(rename = $key)] $variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key,)* }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }

            /// Every choice as (key, label), for a form to offer.
            pub fn options() -> Vec<(&'static str, &'static str)> {
                Self::ALL.iter().map(|v| (v.key(), v.label())).collect()
            }

            pub fn of(key: &str) -> $crate::Result<$name> {
                let key = key.trim().to_ascii_lowercase().replace('_', "-");
                Self::ALL.iter().copied().find(|v| v.key() == key).ok_or_else(|| {
                    let keys: Vec<&str> = Self::ALL.iter().map(|v| v.key()).collect();
                    $crate::Error::Invalid {
                        what: $what,
                        reason: format!("use one of {}", keys.join(", ")),
                    }
                })
            }
        }
    };
}
pub(crate) use choices;
