//! The device core's modules import each other without a cycle: the shared
//! handle (`inner`) sits below both the public object (`replica`) and the
//! sync round (`sync`), value types (`model`) below the SQL that fills them
//! (`queries`). Read from the sources, so a new cycle fails here.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Top-level module -> the top-level modules its `use crate::…` lines name.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    let mut dirs = vec![src.clone()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap();
        let top = rel.iter().next().unwrap().to_string_lossy();
        let module = top.trim_end_matches(".rs").to_owned();
        if module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        // Unit tests may reach anywhere; only the module's own code counts.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let mut statement = String::new();
        for line in code.lines().map(str::trim) {
            if statement.is_empty() && !line.starts_with("use crate::") {
                continue;
            }
            statement.push_str(line);
            if !line.ends_with(';') {
                continue;
            }
            let names = statement.trim_start_matches("use crate::");
            let names = names.trim_start_matches('{');
            for part in names.split([',', '{', '}', ';']) {
                let first = part.trim().split("::").next().unwrap_or_default();
                let is_module =
                    src.join(format!("{first}.rs")).exists() || src.join(first).is_dir();
                if !first.is_empty() && first != module && is_module {
                    graph
                        .entry(module.clone())
                        .or_default()
                        .insert(first.to_owned());
                }
            }
            statement.clear();
        }
        graph.entry(module).or_default();
    }
    graph
}

fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        g: &BTreeMap<String, BTreeSet<String>>,
        n: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            return Some(path[i..].iter().cloned().chain([n.to_owned()]).collect());
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_owned());
        for d in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(g, d, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(graph, n, &mut vec![], &mut done))
}

#[test]
fn core_modules_import_without_a_cycle() {
    let graph = imports();
    assert!(graph["replica"].contains("inner") && graph["sync"].contains("inner"));
    assert!(!graph["inner"].contains("replica") && !graph["inner"].contains("sync"));
    assert_eq!(cycle(&graph), None, "{graph:#?}");
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let mut graph = imports();
    graph.get_mut("inner").unwrap().insert("replica".to_owned());
    assert!(cycle(&graph).is_some());
}
