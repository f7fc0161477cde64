//! The Fluent files are read when the crate compiles (`static_loader!`), which tracks the
//! files it found but not a file added later: watching the folder rebuilds the texts when a
//! page's new `.ftl` file appears.

fn main() {
    println!("cargo::rerun-if-changed=locales");
}
