//! The desktop's command lists agree. A command is written down in four places on the Rust
//! side (the `#[tauri::command]` function, `generate_handler!`, `COMMANDS` in build.rs, and
//! the `allow-...` grant in the capability file) and called by name from the window; one
//! missing from a list only shows as a failure at run time, in the window. This reads the
//! files as text, so it runs under a plain `cargo test` without building the Tauri crate.
//!
//! Checked: the four Rust-side lists are one set; every command the UI calls is registered;
//! every registered command is called by the UI, unless [`NOT_CALLED_BY_THE_WINDOW`] says
//! why not.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Registered commands no UI code calls, each with the reason. A command that is listed
/// here but is called, or is not registered, fails the test too (the list stays true).
const NOT_CALLED_BY_THE_WINDOW: &[(&str, &str)] = &[(
    "list_playbooks",
    "no screen calls it (the home screen lists playbooks with search_playbooks); kept until \
     the application layer's rewrite decides whether it goes",
)];

const COMMAND_FILES: &str = "src-tauri/src";
const HANDLER: &str = "src-tauri/src/main.rs";
const BUILD: &str = "src-tauri/build.rs";
const CAPABILITY: &str = "src-tauri/capabilities/default.json";
const UI: &str = "ui/js";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` (relative to the root) whose name ends with `ext`, as
/// (path relative to the root, text), in path order.
fn files(dir: &str, ext: &str) -> Vec<(String, String)> {
    fn walk(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, ext, out);
            } else if path.to_string_lossy().ends_with(ext) {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&root().join(dir), ext, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p.strip_prefix(root()).unwrap().display().to_string(), text)
        })
        .collect()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_command_is_in_every_list_and_the_window_calls_only_registered_ones() {
    let mut functions = BTreeSet::new();
    for (path, text) in files(COMMAND_FILES, ".rs") {
        for name in tauri_commands(&text) {
            assert!(functions.insert(name.clone()), "#[tauri::command] {name} twice ({path})");
        }
    }
    let lists: [(String, BTreeSet<String>); 4] = [
        (format!("the #[tauri::command] functions in {COMMAND_FILES}/"), functions),
        (format!("generate_handler! in {HANDLER}"), generate_handler(&read(HANDLER))),
        (format!("COMMANDS in {BUILD}"), build_commands(&read(BUILD))),
        (format!("the allow-... permissions in {CAPABILITY}"), granted(&read(CAPABILITY))),
    ];
    let ui = ui_calls(&files(UI, ".js"));

    let mut problems = Vec::new();
    for (list, names) in &lists {
        if names.is_empty() {
            problems.push(format!("found no command in {list}: has its format changed?"));
        }
    }
    let all: BTreeSet<&String> = lists.iter().flat_map(|(_, names)| names).collect();
    for name in &all {
        for (list, names) in &lists {
            if !names.contains(*name) {
                problems.push(format!("command `{name}` is missing from {list}"));
            }
        }
    }
    let registered = &lists[0].1;
    for (name, places) in &ui {
        if !registered.contains(name) {
            problems.push(format!(
                "the window calls `{name}` ({}), which is not a registered command",
                places.join(", ")
            ));
        }
    }
    let excused: BTreeMap<&str, &str> = NOT_CALLED_BY_THE_WINDOW.iter().copied().collect();
    for name in all {
        if !ui.contains_key(name) && !excused.contains_key(name.as_str()) {
            problems.push(format!(
                "command `{name}` is called by no UI code in {UI}/: remove it, or list it in \
                 NOT_CALLED_BY_THE_WINDOW with the reason"
            ));
        }
    }
    for name in excused.keys() {
        if ui.contains_key(*name) {
            problems.push(format!(
                "`{name}` is in NOT_CALLED_BY_THE_WINDOW but the window calls it ({}): take it \
                 off that list",
                ui[*name].join(", ")
            ));
        } else if !registered.contains(*name) {
            problems.push(format!(
                "`{name}` is in NOT_CALLED_BY_THE_WINDOW but is not a registered command"
            ));
        }
    }
    assert!(problems.is_empty(), "the command lists disagree:\n  {}", problems.join("\n  "));
}

// ---- A small lexer, enough to find names in Rust and JavaScript source ----------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// A string literal with no substitution in it.
    Str(String),
    /// JavaScript: a template literal with `${...}` in it, or a regular expression; never a
    /// fixed name.
    Template,
    Punct(char),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Lang {
    Rust,
    Js,
}

/// Tokens with their 1-based line. Comments are dropped; strings are kept whole, so a word
/// in a comment or a message is never taken for code.
fn lex(text: &str, lang: Lang) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<(Tok, usize)> = Vec::new();
    let mut line = 1;
    let mut i = 0;
    // JavaScript: open `${` of template literals, by the brace depth they opened at.
    let mut templates: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        let start_line = line;
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && at(i + 1) == '/') {
                line += usize::from(chars[i] == '\n');
                i += 1;
            }
            i += 2;
        } else if lang == Lang::Js && c == '/' && regex_may_start(out.last().map(|t| &t.0)) {
            // A regular expression literal: skip it (it may hold quotes or slashes).
            i += 1;
            let mut class = false;
            while i < chars.len() && chars[i] != '\n' && (class || chars[i] != '/') {
                match chars[i] {
                    '\\' => i += 1,
                    '[' => class = true,
                    ']' => class = false,
                    _ => {}
                }
                i += 1;
            }
            i += 1;
            out.push((Tok::Template, start_line));
        } else if c == '"' || (lang == Lang::Js && c == '\'') {
            let (value, next) = quoted(&chars, i + 1, c);
            line += value.matches('\n').count();
            out.push((Tok::Str(value), start_line));
            i = next;
        } else if lang == Lang::Js && (c == '`' || (c == '}' && templates.last() == Some(&depth))) {
            // A template literal, or its rest after a `${...}`.
            let resumed = c == '}';
            if resumed {
                templates.pop();
            }
            let mut value = String::new();
            i += 1;
            let mut substituted = resumed;
            loop {
                match at(i) {
                    '\0' | '`' => {
                        i += 1;
                        break;
                    }
                    '\\' => {
                        value.push(at(i + 1));
                        i += 2;
                    }
                    '$' if at(i + 1) == '{' => {
                        substituted = true;
                        templates.push(depth);
                        i += 2;
                        break;
                    }
                    ch => {
                        line += usize::from(ch == '\n');
                        value.push(ch);
                        i += 1;
                    }
                }
            }
            out.push((if substituted { Tok::Template } else { Tok::Str(value) }, start_line));
        } else if lang == Lang::Rust && c == 'r' && (at(i + 1) == '"' || at(i + 1) == '#') {
            // A raw string r"..." or r#"..."#.
            let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            if at(i + 1 + hashes) != '"' {
                let (word, next) = ident(&chars, i);
                out.push((Tok::Ident(word), start_line));
                i = next;
                continue;
            }
            let body = i + 2 + hashes;
            let close: String =
                std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            let rest: String = chars[body..].iter().collect();
            let len = rest.find(&close).unwrap_or(rest.len());
            let value: String = rest[..len].to_owned();
            line += value.matches('\n').count();
            i = body + value.chars().count() + close.chars().count();
            out.push((Tok::Str(value), start_line));
        } else if lang == Lang::Rust && c == '\'' {
            // A char literal ('x', '\n', '"') or a lifetime ('a, 'static).
            if at(i + 1) == '\\' {
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let (word, next) = ident(&chars, i);
            out.push((Tok::Ident(word), start_line));
            i = next;
        } else {
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            out.push((Tok::Punct(c), start_line));
            i += 1;
        }
    }
    out
}

fn ident(chars: &[char], mut i: usize) -> (String, usize) {
    let start = i;
    while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$') {
        i += 1;
    }
    (chars[start..i].iter().collect(), i)
}

/// The text of a quoted string from `i` (after the opening quote) and where it ends.
fn quoted(chars: &[char], mut i: usize, quote: char) -> (String, usize) {
    let mut value = String::new();
    while i < chars.len() && chars[i] != quote {
        if chars[i] == '\\' {
            i += 1;
        }
        if let Some(&c) = chars.get(i) {
            value.push(c);
        }
        i += 1;
    }
    (value, i + 1)
}

/// Whether a `/` after `prev` starts a regular expression rather than a division.
fn regex_may_start(prev: Option<&Tok>) -> bool {
    match prev {
        None => true,
        Some(Tok::Punct(p)) => !matches!(p, ')' | ']' | '}'),
        Some(Tok::Ident(w)) => matches!(w.as_str(), "return" | "typeof" | "case" | "in" | "of"),
        _ => false,
    }
}

fn is_punct(tok: Option<&(Tok, usize)>, c: char) -> bool {
    matches!(tok, Some((Tok::Punct(p), _)) if *p == c)
}

fn ident_at(toks: &[(Tok, usize)], i: usize) -> Option<&str> {
    match toks.get(i) {
        Some((Tok::Ident(w), _)) => Some(w),
        _ => None,
    }
}

/// The index just past the bracket that closes the one at `open`.
fn close(toks: &[(Tok, usize)], open: usize) -> usize {
    let mut depth = 0i32;
    for (i, (tok, _)) in toks.iter().enumerate().skip(open) {
        match tok {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    toks.len()
}

// ---- The four Rust-side lists -----------------------------------------------------------

/// The functions marked `#[tauri::command]` (or `#[command]`, with any arguments), in order.
fn tauri_commands(text: &str) -> Vec<String> {
    let toks = lex(text, Lang::Rust);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if is_punct(toks.get(i), '#') && is_punct(toks.get(i + 1), '[') {
            let end = close(&toks, i + 1);
            // The attribute's path: idents joined by `::`, up to its arguments.
            let mut path = Vec::new();
            let mut j = i + 2;
            while let Some(w) = ident_at(&toks, j) {
                path.push(w);
                j += 1;
                if is_punct(toks.get(j), ':') && is_punct(toks.get(j + 1), ':') {
                    j += 2;
                } else {
                    break;
                }
            }
            if (path == ["tauri", "command"] || path == ["command"])
                && let Some(name) = function_after(&toks, end)
            {
                out.push(name.to_owned());
            }
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// The name of the function that starts at token `i`, after any attributes and qualifiers
/// (`pub`, `pub(crate)`, `async`, ...); `None` when the item there is not a function (clap's
/// `#[command(...)]` on a struct, say).
fn function_after(toks: &[(Tok, usize)], mut i: usize) -> Option<&str> {
    loop {
        if is_punct(toks.get(i), '#') && is_punct(toks.get(i + 1), '[') {
            i = close(toks, i + 1);
            continue;
        }
        match toks.get(i) {
            Some((Tok::Ident(w), _)) if w == "fn" => return ident_at(toks, i + 1),
            Some((Tok::Ident(w), _))
                if matches!(w.as_str(), "pub" | "async" | "const" | "unsafe" | "extern") =>
            {
                i += 1;
                if is_punct(toks.get(i), '(') {
                    i = close(toks, i);
                }
            }
            // `extern "C"`.
            Some((Tok::Str(_), _)) => i += 1,
            _ => return None,
        }
    }
}

/// The last path segment of each item in `generate_handler![...]` (any bracket).
fn generate_handler(text: &str) -> BTreeSet<String> {
    let toks = lex(text, Lang::Rust);
    let mut out = BTreeSet::new();
    for i in 0..toks.len() {
        if ident_at(&toks, i) == Some("generate_handler") && is_punct(toks.get(i + 1), '!') {
            let end = close(&toks, i + 2);
            let mut last = None;
            let mut depth = 0;
            for (tok, _) in &toks[i + 3..end.saturating_sub(1)] {
                match tok {
                    Tok::Punct('(' | '[' | '{') => depth += 1,
                    Tok::Punct(')' | ']' | '}') => depth -= 1,
                    Tok::Punct(',') if depth == 0 => out.extend(last.take()),
                    Tok::Ident(w) if depth == 0 => last = Some(w.clone()),
                    _ => {}
                }
            }
            out.extend(last);
        }
    }
    out
}

/// The strings in `const COMMANDS ... = ...;` (or `static`).
fn build_commands(text: &str) -> BTreeSet<String> {
    let toks = lex(text, Lang::Rust);
    let mut out = BTreeSet::new();
    for i in 1..toks.len() {
        let defined = matches!(ident_at(&toks, i - 1), Some("const" | "static"));
        if defined && ident_at(&toks, i) == Some("COMMANDS") {
            let Some(eq) = (i..toks.len()).find(|&k| is_punct(toks.get(k), '=')) else { continue };
            for (tok, _) in toks[eq..].iter().take_while(|(t, _)| *t != Tok::Punct(';')) {
                if let Tok::Str(s) = tok {
                    out.insert(s.clone());
                }
            }
        }
    }
    out
}

/// The app's own commands granted in a capability file: `allow-<kebab-case>` permissions
/// (written alone or as `{"identifier": ...}`), in snake_case. Plugin permissions
/// (`notification:default`) are not commands of this app.
fn granted(text: &str) -> BTreeSet<String> {
    let json: serde_json::Value = serde_json::from_str(text).unwrap();
    let permissions = json["permissions"].as_array().cloned().unwrap_or_default();
    permissions
        .iter()
        .filter_map(|p| p.as_str().or_else(|| p["identifier"].as_str()))
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect()
}

// ---- What the window calls --------------------------------------------------------------

/// Every command name the UI calls, with where (`file:line`). A call is Tauri's `invoke`, or
/// any wrapper that passes its first parameter on as the command (`request` in api.js, and
/// screens' `act(command, args)`), found by following the calls back; a wrapper serves the
/// file that defines it, or every file when it is exported. A command given as anything but
/// a fixed string is reported, since it cannot be checked.
fn ui_calls(files: &[(String, String)]) -> BTreeMap<String, Vec<String>> {
    let lexed: Vec<(&str, Vec<(Tok, usize)>)> =
        files.iter().map(|(path, text)| (path.as_str(), lex(text, Lang::Js))).collect();
    // Callees by file ("" for every file).
    let mut callees: BTreeSet<(String, String)> =
        BTreeSet::from([(String::new(), "invoke".to_owned())]);
    let mut calls: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unknown: Vec<String> = Vec::new();
    loop {
        let before = callees.len();
        calls.clear();
        unknown.clear();
        for (path, toks) in &lexed {
            for i in 0..toks.len() {
                let Some(name) = ident_at(toks, i) else { continue };
                let serves = callees.contains(&(String::new(), name.to_owned()))
                    || callees.contains(&((*path).to_owned(), name.to_owned()));
                // A call, not a definition (`function request(command)`).
                let defined = i.checked_sub(1).and_then(|k| ident_at(toks, k)) == Some("function");
                if !serves || defined || !is_punct(toks.get(i + 1), '(') {
                    continue;
                }
                let line = toks[i].1;
                match toks.get(i + 2) {
                    Some((Tok::Str(command), _)) => {
                        calls.entry(command.clone()).or_default().push(format!("{path}:{line}"));
                    }
                    Some((Tok::Ident(param), _)) => match wrapper(toks, i, param) {
                        Some((wrapper, exported)) => {
                            let scope = if exported { String::new() } else { (*path).to_owned() };
                            callees.insert((scope, wrapper));
                        }
                        None => unknown.push(format!("{path}:{line}: {name}({param}, ...)")),
                    },
                    _ => unknown.push(format!("{path}:{line}: {name}(...)")),
                }
            }
        }
        if callees.len() == before {
            break;
        }
    }
    assert!(
        unknown.is_empty(),
        "these calls name their command in a way this test cannot read (use a string, or a \
         wrapper whose first parameter is the command):\n  {}",
        unknown.join("\n  ")
    );
    calls
}

/// The function around token `at` whose first parameter is `param`, if any: its name and
/// whether it is exported. Reads back to the nearest definition naming `param` first:
/// `function NAME(param`, `NAME = (param`, `NAME = async (param`, `NAME = param =>`.
fn wrapper(toks: &[(Tok, usize)], at: usize, param: &str) -> Option<(String, bool)> {
    let ident = |k: Option<usize>| k.and_then(|k| ident_at(toks, k));
    let punct = |k: Option<usize>, c: char| k.is_some_and(|k| is_punct(toks.get(k), c));
    let back = |k: Option<usize>| k.and_then(|k| k.checked_sub(1));
    // From the token before the parameter list (or the lone parameter): the function's name.
    let name_before = |mut j: Option<usize>| {
        if ident(j) == Some("async") {
            j = back(j);
        }
        if punct(j, '=') {
            back(j)
        } else if ident(back(j)) == Some("function") {
            j
        } else {
            None
        }
    };
    for k in (0..at).rev() {
        if ident(Some(k)) != Some(param) {
            continue;
        }
        let name_at = if punct(back(Some(k)), '(') {
            // `function NAME(param`, `NAME = [async] (param`.
            name_before(back(back(Some(k))))
        } else if punct(Some(k + 1), '=') && punct(Some(k + 2), '>') {
            // `NAME = [async] param =>`.
            name_before(back(Some(k)))
        } else {
            None
        };
        if let Some(name) = ident(name_at) {
            let exported =
                (1..=3).any(|n| ident(name_at.and_then(|j| j.checked_sub(n))) == Some("export"));
            return Some((name.to_owned(), exported));
        }
    }
    None
}

// ---- The readers themselves, on awkward but valid formatting ----------------------------

#[test]
fn the_readers_accept_any_formatting() {
    let commands = r##"
        // #[tauri::command] pub fn commented_out() {}
        /* #[tauri::command]
           pub fn also_commented_out() {} */
        #[tauri::command]
        pub async fn plain(state: State<'_, AppState>) -> Reply<()> { Ok(()) }

        /// Docs first.
        #[tauri::command(
            rename_all = "snake_case",
        )]
        #[allow(clippy::too_many_arguments)]
        pub fn multi_line_attribute(text: String) -> Reply<char> { Ok('"') }

        #[tauri :: command]
        async fn spaced_and_private() -> Reply<&'static str> { Ok(r#"fn not_this"#) }

        #[derive(Debug)]
        pub struct NotACommand;
        /// clap's attribute, on a struct: not a command.
        #[derive(Parser)]
        #[command(name = "caregiver-desktop", version, about)]
        struct Args { data_dir: Option<PathBuf> }
        fn main() {}
        #[command]
        pub(crate) async fn imported_attribute() {}
        pub fn helper() {}
        const QUOTE: char = '\'';
        #[tauri::command]
        pub fn after_an_escaped_quote() {}
    "##;
    assert_eq!(
        tauri_commands(commands),
        [
            "plain",
            "multi_line_attribute",
            "spaced_and_private",
            "imported_attribute",
            "after_an_escaped_quote"
        ]
    );

    let main = r#"
        .invoke_handler(tauri::generate_handler![
            commands::app_info, // the version
            commands::training::my_training,
            #[cfg(debug_assertions)]
            commands::debug_only
        ])
        .run(tauri::generate_context!());
    "#;
    let want: BTreeSet<String> = ["app_info", "my_training", "debug_only"].map(String::from).into();
    assert_eq!(generate_handler(main), want);

    let build = r#"
        /// Every command, e.g. "not_this".
        const COMMANDS: &[&str] = &[
            "app_info", "my_training",
            // "commented_out",
            "debug_only",
        ];
        fn main() { let _ = AppManifest::new().commands(COMMANDS); let x = "nor_this"; }
    "#;
    assert_eq!(build_commands(build), want);

    let capability = r#"{ "permissions": [
        "allow-app-info", { "identifier": "allow-my-training", "windows": ["main"] },
        "allow-debug-only", "notification:default", "deny-other" ] }"#;
    assert_eq!(granted(capability), want);

    let ui = [
        (
            "ui/js/api.js".to_owned(),
            r#"
            // request("commented_out")
            export async function request(command, args = {}) {
              const invoke = core && typeof core.invoke === "function" ? core.invoke : null;
              return await invoke(command, args);
            }"#
                .to_owned(),
        ),
        (
            "ui/js/screens/a.js".to_owned(),
            r#"
            const text = "request('in_a_string')".split(/\n\s*"/);
            const act = async (command, args) => { const next = await request(command, { id, ...args }); };
            request("app_info").then(() => act('my_training', {}));
            h("p", {}, `${x ? `nested` : ""} request("in_a_template")`);
            await request(
              `debug_only`,
              { id },
            );"#
            .to_owned(),
        ),
        (
            "ui/js/screens/b.js".to_owned(),
            // `act` here is another file's local function: not a command call.
            r#"act("not_a_command"); request("app_info");"#.to_owned(),
        ),
    ];
    let calls = ui_calls(&ui);
    assert_eq!(calls.keys().collect::<Vec<_>>(), ["app_info", "debug_only", "my_training"]);
    assert_eq!(calls["app_info"], ["ui/js/screens/a.js:4", "ui/js/screens/b.js:1"]);
    assert_eq!(calls["debug_only"], ["ui/js/screens/a.js:6"]);
}

#[test]
#[should_panic(expected = "ui/js/x.js:1: request(...)")]
fn a_command_that_is_not_a_fixed_string_is_reported() {
    let ui = [
        (
            "ui/js/api.js".to_owned(),
            "export function request(command) { invoke(command); }".to_owned(),
        ),
        ("ui/js/x.js".to_owned(), "request(`load_${what}`);".to_owned()),
    ];
    ui_calls(&ui);
}
