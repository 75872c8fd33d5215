//! `docs/errors.md` and `docs/scenario.md` are generated; this fails when they are stale.
//! Regenerate with `PAYBACK_BLESS=1 cargo test -p payback-input`.

use std::path::Path;

fn check(rel: &str, generated: String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel);
    if std::env::var_os("PAYBACK_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "{rel} is out of date. Regenerate it with:\n\n    PAYBACK_BLESS=1 cargo test -p payback-input\n"
    );
}

#[test]
fn errors_md_is_up_to_date() {
    check("docs/errors.md", payback_input::codes::catalogue_markdown());
}

#[test]
fn scenario_md_is_up_to_date() {
    check("docs/scenario.md", payback_input::schema::markdown());
}

#[test]
fn every_schema_key_is_documented_with_a_meaning() {
    for k in payback_input::schema::keys() {
        assert!(!k.doc.is_empty(), "{} has no meaning", k.path);
        assert!(payback_input::schema::lookup(k.path).is_some());
    }
    let k = payback_input::schema::lookup("generations.B200.unit_cost").unwrap();
    assert_eq!(k.path, "generations.*.unit_cost");
    assert_eq!(
        payback_input::schema::lookup("open_market.growth.2027")
            .unwrap()
            .path,
        "open_market.growth.*"
    );
}
