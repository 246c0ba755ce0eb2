use std::path::PathBuf;
use zeren_reports::checker::*;

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/domain/seeds/");

#[test]
fn dump() {
    for f in [
        "township-2023-responsibility-report.txt",
        "township-2023-responsibility-summary.txt",
        "county-dept-2023-accountability-report.txt",
    ] {
        let p = PathBuf::from(SEEDS).join(f);
        let mut out = Vec::new();
        run_check_command(&[p], false, &CheckOptions::all(), &mut out).unwrap();
        println!("{}", String::from_utf8(out).unwrap());
    }
}
