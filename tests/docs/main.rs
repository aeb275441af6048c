//! The README's walk-through is `examples/walkthrough.sh`, which CI runs: each
//! part of the script marked `# >>> readme:NAME` … `# <<< readme` must stand in
//! the README as a `sh` code block, exactly and in the same order.

use std::path::Path;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The script's marked parts, by name, in order.
fn script_parts(script: &str) -> Vec<(String, String)> {
    let mut parts = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in script.lines() {
        if let Some(name) = line.strip_prefix("# >>> readme:") {
            assert!(open.is_none(), "part {name} opens inside another");
            open = Some((name.trim().to_owned(), String::new()));
        } else if line == "# <<< readme" {
            parts.push(
                open.take()
                    .expect("a closing marker without an opening one"),
            );
        } else if let Some((_, text)) = open.as_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    assert!(open.is_none(), "a part is never closed");
    parts
}

/// The README's `sh` code blocks, in order.
fn readme_blocks(readme: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut open: Option<String> = None;
    for line in readme.lines() {
        match open.as_mut() {
            None if line == "```sh" => open = Some(String::new()),
            None => {}
            Some(_) if line == "```" => blocks.extend(open.take()),
            Some(text) => {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    blocks
}

#[test]
fn every_part_of_the_walkthrough_script_is_in_the_readme_in_order() {
    let parts = script_parts(&read("examples/walkthrough.sh"));
    let blocks = readme_blocks(&read("README.md"));
    assert!(
        parts.len() >= 10,
        "the script has too few marked parts: {}",
        parts.len()
    );
    let mut from = 0;
    for (name, text) in &parts {
        match blocks[from..].iter().position(|block| block == text) {
            Some(at) => from += at + 1,
            None => panic!(
                "the README has no sh block equal to the script's part `{name}` (after the parts before it):\n{text}"
            ),
        }
    }
}

#[test]
fn the_readme_runs_the_service_with_the_profile_the_tests_build() {
    let readme = read("README.md");
    assert!(readme.contains("\ncargo run -p api --bin innovation-hub -- serve\n"));
    assert!(readme.contains("\ncargo test --workspace\n"));
    assert!(
        !readme.contains("cargo run --release"),
        "a second profile doubles the first build"
    );
}

/// Handlers extract, call a use case and map its answer: none runs past 40
/// lines. Each `#[get(…)]`/`#[post(…)]`/… handler's body is counted from the
/// line after its signature to its closing brace.
#[test]
fn no_handler_body_is_over_forty_lines() {
    fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            if path.is_dir() {
                files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let routes = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/api/src/routes");
    let mut paths = Vec::new();
    files(&routes, &mut paths);
    let mut handlers = 0;
    let mut long = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let routed = ["#[get(", "#[post(", "#[put(", "#[patch(", "#[delete("]
                .iter()
                .any(|a| line.starts_with(a));
            if !routed {
                continue;
            }
            let signature = (i..lines.len())
                .find(|&j| lines[j].starts_with("pub async fn"))
                .expect("a handler after its route attribute");
            let opened = (signature..lines.len())
                .find(|&j| lines[j].trim_end().ends_with('{'))
                .expect("the handler's body opens");
            let closed = (opened..lines.len())
                .find(|&j| lines[j] == "}")
                .expect("the handler's body closes");
            handlers += 1;
            let length = closed - opened - 1;
            if length > 40 {
                long.push(format!(
                    "{}: {} ({length} lines)",
                    path.display(),
                    lines[signature]
                ));
            }
        }
    }
    assert!(handlers >= 40, "found only {handlers} handlers");
    assert!(long.is_empty(), "handlers over 40 lines: {long:#?}");
}
