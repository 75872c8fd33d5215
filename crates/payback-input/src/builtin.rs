//! The built-in scenario and overlays (`payback run default --overlay bear`), embedded from
//! `examples/scenarios/` so the binary needs no files.

/// Whether a built-in is a whole scenario or an overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinKind {
    /// A complete scenario.
    Scenario,
    /// An overlay applied over a scenario.
    Overlay,
}

/// One embedded file.
#[derive(Debug)]
pub struct Builtin {
    /// Name used on the command line (`default`, `bull`, `bear`).
    pub name: &'static str,
    /// Scenario or overlay.
    pub kind: BuiltinKind,
    /// One line for `payback list`.
    pub description: &'static str,
    /// The TOML text.
    pub text: &'static str,
    /// Name diagnostics print (`builtin:default`).
    pub file_name: &'static str,
}

impl Builtin {
    /// The file as a [`crate::SourceFile`].
    pub fn source(&self) -> crate::SourceFile {
        crate::SourceFile::new(self.file_name, self.text)
    }
}

static ALL: &[Builtin] = &[
    Builtin {
        name: "default",
        kind: BuiltinKind::Scenario,
        description: "Representative US hyperscaler (AI slice), 2024Q1 to 2035Q4",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/default.toml"
        )),
        file_name: "builtin:default",
    },
    Builtin {
        name: "bull",
        kind: BuiltinKind::Overlay,
        description: "The seed's bull case: the clean payback path",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/bull.toml"
        )),
        file_name: "builtin:bull",
    },
    Builtin {
        name: "bear",
        kind: BuiltinKind::Overlay,
        description: "The seed's bear case: what delays payback",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/bear.toml"
        )),
        file_name: "builtin:bear",
    },
];

/// Every built-in, scenario first.
pub fn all() -> &'static [Builtin] {
    ALL
}

/// The built-in called `name`.
pub fn get(name: &str) -> Option<&'static Builtin> {
    ALL.iter().find(|b| b.name == name)
}
