//! `sqlx::migrate!` embeds the migration files at compile time; this makes a changed migration
//! rebuild the crate (cargo does not see files read by a proc macro on its own).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
