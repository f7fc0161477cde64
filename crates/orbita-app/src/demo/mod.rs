//! Demo data: a realistic, deterministic client base for trying Orbita and for benchmarks.

pub mod generate;
mod load;
mod windows;
mod words;

pub use load::{DEMO_PASSWORD, DemoLogins, DemoSize, Progress, load, logins};
