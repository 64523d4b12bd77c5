//! No import circles between the modules of any crate of the workspace: `cargo test -p
//! marginproof-tests --test module_cycles` reads every `.rs` file under each crate's `src/`,
//! takes the modules it imports (`use crate::…`, `use super::…`, and `crate::…` paths in code),
//! and fails naming every circle (a strongly connected group of two or more files). Imports
//! between a module and its own submodules (a `mod.rs` re-exporting a child, the child using its
//! parent's helpers) are containment, not circles, and are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The crates whose `src/` is checked.
const CRATES: &[&str] = &[
    "circuits", "prover", "verifier", "cli", "reserves", "web", "storage",
];

/// A file's module path (`chips::account::rows`), and whether it is a `mod.rs`/root.
fn module_of(src: &Path, file: &Path) -> (Vec<String>, bool) {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let is_dir_module = matches!(last.as_str(), "mod" | "lib" | "main");
    if !is_dir_module {
        parts.push(last);
    }
    (parts, is_dir_module)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments and string literals (doc links are not imports).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_string = false;
        let mut prev = ' ';
        let mut kept = String::new();
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if !in_string && c == '/' && chars.get(i + 1) == Some(&'/') {
                break;
            }
            if c == '"' && prev != '\\' {
                in_string = !in_string;
            } else if !in_string {
                kept.push(c);
            }
            prev = c;
            i += 1;
        }
        out.push_str(&kept);
        out.push('\n');
    }
    out
}

/// Expands a `use` tree (`a::{b, c::{d, e}}`) into its paths.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let prefix = tree[..open].trim().trim_end_matches("::");
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let mut parts = Vec::new();
        let (mut depth, mut start) = (0, 0);
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&inner[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&inner[start..]);
        parts
            .into_iter()
            .filter(|p| !p.trim().is_empty())
            .flat_map(|p| {
                expand(p).into_iter().map(move |s| {
                    if prefix.is_empty() {
                        s
                    } else {
                        format!("{prefix}::{s}")
                    }
                })
            })
            .collect()
    } else {
        vec![tree.split(" as ").next().unwrap_or(tree).trim().to_string()]
    }
}

/// Every path a file names: its `use` trees, and `crate::…`/`super::…` paths in its code.
fn paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        let after = &rest[at + 4..];
        rest = after;
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(end) = after.find(';') {
            out.extend(expand(&after[..end]));
        }
    }
    for start in ["crate::", "super::"] {
        let mut rest = code;
        while let Some(at) = rest.find(start) {
            let before = rest[..at].chars().last();
            let tail = &rest[at..];
            rest = &rest[at + start.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let path: String = tail
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            out.push(path.trim_end_matches(':').to_string());
        }
    }
    out
}

/// The module a path lands in: the longest prefix that is a module of the crate.
fn resolve(
    path: &str,
    here: &[String],
    is_dir_module: bool,
    modules: &BTreeSet<Vec<String>>,
) -> Option<Vec<String>> {
    let mut segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut base: Vec<String> = match segments.first() {
        Some(&"crate") => {
            segments.remove(0);
            Vec::new()
        }
        Some(&"super") | Some(&"self") => {
            let mut base = here.to_vec();
            if !is_dir_module && segments[0] == "super" {
                base.pop();
            }
            segments.remove(0);
            while segments.first() == Some(&"super") {
                base.pop();
                segments.remove(0);
            }
            if segments.first() == Some(&"self") {
                segments.remove(0);
            }
            base
        }
        _ => return None,
    };
    let mut best = if modules.contains(&base) {
        Some(base.clone())
    } else {
        None
    };
    for s in segments {
        base.push(s.to_string());
        if modules.contains(&base) {
            best = Some(base.clone());
        }
    }
    best
}

/// Strongly connected groups of two or more modules (Tarjan).
fn circles(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<Vec<String>>> {
    struct State<'a> {
        edges: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'a Vec<String>, usize>,
        low: BTreeMap<&'a Vec<String>, usize>,
        stack: Vec<&'a Vec<String>>,
        on_stack: BTreeSet<&'a Vec<String>>,
        next: usize,
        out: Vec<Vec<Vec<String>>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Vec<String>) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        let edges = s.edges;
        for w in edges.get(v).into_iter().flatten() {
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut group = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                group.push(w.clone());
                if w == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                s.out.push(group);
            }
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !state.index.contains_key(v) {
            visit(&mut state, v);
        }
    }
    state.out
}

/// One module contains the other (or is it).
fn nested(a: &[String], b: &[String]) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// The import circles of the crate at `root` (each as its modules' paths).
fn crate_circles(root: &Path) -> Vec<String> {
    let src = root.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(&src, f).0).collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for file in &files {
        let (here, is_dir_module) = module_of(&src, file);
        let text = std::fs::read_to_string(file).expect("read a source file");
        let targets = edges.entry(here.clone()).or_default();
        for path in paths(&code_only(&text)) {
            if let Some(target) = resolve(&path, &here, is_dir_module, &modules) {
                if !nested(&target, &here) {
                    targets.insert(target);
                }
            }
        }
    }
    circles(&edges)
        .into_iter()
        .map(|group| {
            group
                .iter()
                .map(|m| format!("crate::{}", m.join("::")))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect()
}

#[test]
fn no_crate_has_an_import_circle() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = Vec::new();
    let mut read = 0;
    for name in CRATES {
        let root = workspace.join(name);
        if !root.join("src").is_dir() {
            continue;
        }
        read += 1;
        for circle in crate_circles(&root) {
            found.push(format!("{name}: {circle}"));
        }
    }
    assert!(read >= 6, "read only {read} crates");
    assert!(found.is_empty(), "import circles: {found:#?}");
}

#[test]
fn the_reader_finds_a_circle_where_there_is_one() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("a")).expect("mkdir");
    std::fs::write(src.join("lib.rs"), "pub mod a;\npub mod b;\n").expect("write");
    std::fs::write(
        src.join("a/mod.rs"),
        "pub mod inner;\nuse crate::b::{Thing, other::{X}};\n",
    )
    .expect("write");
    std::fs::write(
        src.join("a/inner.rs"),
        "use super::super::b::Y; // crate::a\n",
    )
    .expect("write");
    std::fs::write(
        src.join("b.rs"),
        "/// [`crate::a`] is only a doc link\npub fn f() { crate::a::inner::g(); }\n",
    )
    .expect("write");
    let circles = crate_circles(dir.path());
    assert_eq!(circles, vec!["crate::a::inner, crate::b".to_string()]);
}
