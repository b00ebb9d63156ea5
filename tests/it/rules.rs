//! The rules ARCHITECTURE.md states about the code itself, checked on the source: the
//! system's clock is read in one place; log entry kinds are named only in the event enum;
//! role rules live only in the permission table; files stay a readable size.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, with its test code left out: files of tests, and
/// everything from a file's first `#[cfg(test)]` on.
fn sources() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut todo = vec![root.join("src")];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                todo.push(path);
            } else if name.ends_with(".rs") && !name.ends_with("tests.rs") && name != "testing.rs" {
                let text = std::fs::read_to_string(&path).unwrap();
                let code = match text.find("#[cfg(test)]") {
                    Some(at) => text[..at].to_owned(),
                    None => text,
                };
                out.push((path.strip_prefix(root).unwrap().to_path_buf(), code));
            }
        }
    }
    out.sort();
    out
}

fn offenders(pattern: impl Fn(&str) -> bool, allowed: &[&str]) -> Vec<String> {
    sources()
        .into_iter()
        .filter(|(path, _)| !allowed.iter().any(|a| path == Path::new(a)))
        .flat_map(|(path, code)| {
            code.lines()
                .enumerate()
                .filter(|(_, l)| pattern(l))
                .map(|(n, l)| format!("{}:{}: {}", path.display(), n + 1, l.trim()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn only_the_system_clock_reads_the_time() {
    let reads =
        |l: &str| ["Utc::now()", "Local::now()", "SystemTime::now()"].iter().any(|p| l.contains(p));
    let found = offenders(reads, &["src/app/clock.rs"]);
    assert!(
        found.is_empty(),
        "the time is read below the application layer:\n{}",
        found.join("\n")
    );
}

/// The kinds the event enum names, from its `kind()` table.
fn kinds() -> Vec<String> {
    let events =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/events.rs"))
            .unwrap();
    let kinds: Vec<String> = events
        .lines()
        .filter(|l| l.trim_start().starts_with("Event::") && l.contains("=> \""))
        .filter_map(|l| l.split('"').nth(1).map(str::to_owned))
        .collect();
    assert!(kinds.len() >= 15 && kinds.contains(&"step_done".to_owned()), "{kinds:?}");
    kinds
}

#[test]
fn entry_kinds_are_compared_only_in_the_event_enum() {
    for kind in kinds() {
        let q = format!("\"{kind}\"");
        let compared = |l: &str| {
            [
                format!("== {q}"),
                format!("!= {q}"),
                format!("{q} =>"),
                format!("{q} |"),
                format!("| {q}"),
            ]
            .iter()
            .any(|p| l.contains(p.as_str()))
        };
        let found = offenders(compared, &["src/events.rs"]);
        assert!(found.is_empty(), "the kind {kind} is compared as a string:\n{}", found.join("\n"));
    }
}

#[test]
fn role_rules_live_in_the_permission_table() {
    let rule = |l: &str| {
        l.contains("Role::Admin | Role::Lead")
            || l.contains("Role::Lead | Role::Admin")
            || l.contains("require_admin")
            || l.contains("needed: \"admins")
    };
    let found = offenders(rule, &["src/store/permissions.rs"]);
    assert!(found.is_empty(), "a role rule outside the permission table:\n{}", found.join("\n"));
}

#[test]
fn files_stay_a_readable_size() {
    let long: Vec<String> = sources()
        .into_iter()
        .filter(|(_, code)| code.lines().count() > 700)
        .map(|(path, code)| format!("{}: {} lines of code", path.display(), code.lines().count()))
        .collect();
    assert!(long.is_empty(), "split these:\n{}", long.join("\n"));
    let main =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/main.rs")).unwrap();
    assert!(main.lines().count() <= 160, "src/main.rs is the CLI's wiring only");
}
