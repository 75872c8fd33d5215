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

/// The company scenarios (`examples/scenarios/companies/`, `docs/companies.md`), each with
/// bull and bear overlays named `<company>-bull` and `<company>-bear`. Kept apart from [`all`]
/// so that the default's overlay checks and `payback init` are unchanged; [`get`] finds them.
static COMPANIES: &[Builtin] = &[
    Builtin {
        name: "microsoft",
        kind: BuiltinKind::Scenario,
        description: "Microsoft (AI slice), fiscal years to June",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/companies/microsoft.toml"
        )),
        file_name: "builtin:microsoft",
    },
    Builtin {
        name: "microsoft-bull",
        kind: BuiltinKind::Overlay,
        description: "Bull case for `microsoft`",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/companies/microsoft-bull.toml"
        )),
        file_name: "builtin:microsoft-bull",
    },
    Builtin {
        name: "microsoft-bear",
        kind: BuiltinKind::Overlay,
        description: "Bear case for `microsoft`",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/companies/microsoft-bear.toml"
        )),
        file_name: "builtin:microsoft-bear",
    },
    Builtin {
        name: "amazon",
        kind: BuiltinKind::Scenario,
        description: "Amazon (AWS AI slice)",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/companies/amazon.toml"
        )),
        file_name: "builtin:amazon",
    },
    Builtin {
        name: "amazon-bull",
        kind: BuiltinKind::Overlay,
        description: "Bull case for `amazon`",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/companies/amazon-bull.toml"
        )),
        file_name: "builtin:amazon-bull",
    },
    Builtin {
        name: "amazon-bear",
        kind: BuiltinKind::Overlay,
        description: "Bear case for `amazon`",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/companies/amazon-bear.toml"
        )),
        file_name: "builtin:amazon-bear",
    },
    Builtin {
        name: "alphabet",
        kind: BuiltinKind::Scenario,
        description: "Alphabet (AI slice)",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/companies/alphabet.toml"
        )),
        file_name: "builtin:alphabet",
    },
    Builtin {
        name: "alphabet-bull",
        kind: BuiltinKind::Overlay,
        description: "Bull case for `alphabet`",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/companies/alphabet-bull.toml"
        )),
        file_name: "builtin:alphabet-bull",
    },
    Builtin {
        name: "alphabet-bear",
        kind: BuiltinKind::Overlay,
        description: "Bear case for `alphabet`",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/companies/alphabet-bear.toml"
        )),
        file_name: "builtin:alphabet-bear",
    },
    Builtin {
        name: "meta",
        kind: BuiltinKind::Scenario,
        description: "Meta (AI slice, compute at market value)",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/companies/meta.toml"
        )),
        file_name: "builtin:meta",
    },
    Builtin {
        name: "meta-bull",
        kind: BuiltinKind::Overlay,
        description: "Bull case for `meta`",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/companies/meta-bull.toml"
        )),
        file_name: "builtin:meta-bull",
    },
    Builtin {
        name: "meta-bear",
        kind: BuiltinKind::Overlay,
        description: "Bear case for `meta`",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/companies/meta-bear.toml"
        )),
        file_name: "builtin:meta-bear",
    },
    Builtin {
        name: "oracle",
        kind: BuiltinKind::Scenario,
        description: "Oracle (OCI AI slice), fiscal years to May",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/companies/oracle.toml"
        )),
        file_name: "builtin:oracle",
    },
    Builtin {
        name: "oracle-bull",
        kind: BuiltinKind::Overlay,
        description: "Bull case for `oracle`",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/companies/oracle-bull.toml"
        )),
        file_name: "builtin:oracle-bull",
    },
    Builtin {
        name: "oracle-bear",
        kind: BuiltinKind::Overlay,
        description: "Bear case for `oracle`",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/companies/oracle-bear.toml"
        )),
        file_name: "builtin:oracle-bear",
    },
    Builtin {
        name: "coreweave",
        kind: BuiltinKind::Scenario,
        description: "CoreWeave (neocloud, with debt)",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/companies/coreweave.toml"
        )),
        file_name: "builtin:coreweave",
    },
    Builtin {
        name: "coreweave-bull",
        kind: BuiltinKind::Overlay,
        description: "Bull case for `coreweave`",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/companies/coreweave-bull.toml"
        )),
        file_name: "builtin:coreweave-bull",
    },
    Builtin {
        name: "coreweave-bear",
        kind: BuiltinKind::Overlay,
        description: "Bear case for `coreweave`",
        text: include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/scenarios/companies/coreweave-bear.toml"
        )),
        file_name: "builtin:coreweave-bear",
    },
];

/// Every built-in, scenario first.
pub fn all() -> &'static [Builtin] {
    ALL
}

/// The built-in called `name`.
pub fn get(name: &str) -> Option<&'static Builtin> {
    ALL.iter().chain(COMPANIES.iter()).find(|b| b.name == name)
}

/// The company scenarios and their overlays, scenario before its overlays.
pub fn companies() -> &'static [Builtin] {
    COMPANIES
}
