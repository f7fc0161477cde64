//! `sqlx::migrate!` embeds the migration folders at compile time, but on stable Rust Cargo
//! does not know the macro read them: without this, a new migration file is not built in.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
