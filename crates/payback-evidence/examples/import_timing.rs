//! Times an SEC companyfacts import: `cargo run --release -p payback-evidence --example
//! import_timing -- FILE.json`. Reads with a `BufReader`, normalises, and stores into a fresh
//! temporary database; prints each step's wall time (figures recorded in docs/evidence.md).

use std::fs::File;
use std::io::BufReader;
use std::time::Instant;

use payback_evidence::sec;
use payback_evidence::store::Store;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: import_timing FILE.json");
        std::process::exit(2);
    };
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let t0 = Instant::now();
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot open {path}: {e}");
            std::process::exit(2);
        }
    };
    let facts = match sec::read(&path, BufReader::new(file)) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let t1 = Instant::now();
    let company = facts
        .entity_name
        .clone()
        .unwrap_or_else(|| "company".into());
    let imp = match sec::normalise(&path, &facts, &company) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let t2 = Instant::now();
    let dir = std::env::temp_dir().join(format!("payback-timing-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&dir);
    let result =
        Store::open(&dir).and_then(|mut s| s.import("sec", &path, "timing", &imp.observations));
    let t3 = Instant::now();
    let _ = std::fs::remove_file(&dir);
    match result {
        Ok(s) => println!(
            "{path}: {:.1} MB, {} rows read, {} observations stored\n  parse {:.3} s, normalise \
             {:.3} s, store {:.3} s, total {:.3} s",
            size as f64 / 1e6,
            imp.report.rows,
            s.added,
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            (t3 - t2).as_secs_f64(),
            (t3 - t0).as_secs_f64()
        ),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
}
