//! The migrations are embedded at compile time (`include_str!` for SQLite, `sqlx::migrate!` for
//! PostgreSQL); this makes a changed or added migration rebuild the crate.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
