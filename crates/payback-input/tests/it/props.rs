//! Mutated scenarios never panic the loader, and every diagnostic points inside its file.

use proptest::prelude::*;

use payback_input::SourceFile;

use crate::dir;

fn base() -> String {
    std::fs::read_to_string(dir("valid").join("full.toml")).unwrap()
}

#[derive(Debug, Clone)]
enum Edit {
    DeleteByte(usize),
    ReplaceByte(usize, char),
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut s = text.to_string();
    for e in edits {
        match e {
            Edit::DeleteByte(i) | Edit::ReplaceByte(i, _) => {
                if s.is_empty() {
                    continue;
                }
                let mut at = i % s.len();
                while !s.is_char_boundary(at) {
                    at -= 1;
                }
                s.remove(at);
                if let Edit::ReplaceByte(_, c) = e {
                    s.insert(at, *c);
                }
            }
            Edit::DeleteLine(i) | Edit::DuplicateLine(i) | Edit::SwapLines(i, _) => {
                let mut lines: Vec<String> = s.lines().map(str::to_string).collect();
                if lines.is_empty() {
                    continue;
                }
                let a = i % lines.len();
                match e {
                    Edit::DeleteLine(_) => {
                        lines.remove(a);
                    }
                    Edit::DuplicateLine(_) => {
                        let l = lines[a].clone();
                        lines.insert(a, l);
                    }
                    Edit::SwapLines(_, j) => {
                        let b = j % lines.len();
                        lines.swap(a, b);
                    }
                    _ => {}
                }
                s = lines.join("\n");
            }
        }
    }
    s
}

fn edit() -> impl Strategy<Value = Edit> {
    let chars = prop::sample::select(vec![
        '0', '9', '-', '.', '"', '=', '[', ']', '{', '}', ',', 'e', 'Q', '#', '\n', ' ', 'x', 'é',
        '_',
    ]);
    prop_oneof![
        any::<usize>().prop_map(Edit::DeleteByte),
        (any::<usize>(), chars).prop_map(|(i, c)| Edit::ReplaceByte(i, c)),
        any::<usize>().prop_map(Edit::DeleteLine),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Edit::SwapLines(i, j)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn mutated_scenarios_never_panic(edits in prop::collection::vec(edit(), 1..6)) {
        let text = apply(&base(), &edits);
        let main = SourceFile::new("mutant.toml", text.clone());
        let diags = match payback_input::load(&main, &[]) {
            Ok(l) => l.warnings,
            Err(d) => d,
        };
        for d in &diags {
            prop_assert!(d.span.start <= d.span.end && d.span.end <= text.len(), "{d} span {:?}", d.span);
            prop_assert!(text.is_char_boundary(d.span.start) && text.is_char_boundary(d.span.end));
            prop_assert!(d.line >= 1 && d.column >= 1);
        }
    }

    #[test]
    fn mutated_overlays_never_panic(edits in prop::collection::vec(edit(), 1..4)) {
        let ov = "[overlay]\nname = \"t\"\n[set]\n\"compute.market_margin\" = 0.1\n\"open_market.growth.2027\" = 0.2\n[scale]\n\"generations[launch>=2027Q1].unit_cost\" = 0.8\n\"tiers.*.premium_decay\" = 1.5\n";
        let text = apply(ov, &edits);
        let main = SourceFile::new("full.toml", base());
        let o = SourceFile::new("o.toml", text.clone());
        let diags = match payback_input::load(&main, &[o]) {
            Ok(l) => l.warnings,
            Err(d) => d,
        };
        for d in &diags {
            let len = if d.file == "o.toml" { text.len() } else { main.text.len() };
            prop_assert!(d.span.end <= len, "{d}");
        }
    }
}
