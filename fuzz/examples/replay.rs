//! Runs the fuzz harness without libFuzzer (and without sanitizers): on
//! files or directories of inputs, or on random inputs. For debugging a
//! finding under a normal debugger, and for checking the harness itself.
//!
//!   cargo run --release --example replay -- artifacts/capi/crash-*
//!   cargo run --release --example replay -- --random 20000 [seed]

use std::path::Path;

fn run_file(path: &Path) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for p in entries {
            run_file(&p);
        }
        return;
    }
    let data = std::fs::read(path).unwrap();
    let start = std::time::Instant::now();
    enh_lee_fuzz::run(&data);
    eprintln!("replay {} ({} bytes): {:.1} ms", path.display(), data.len(), start.elapsed().as_secs_f64() * 1e3);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--random") {
        let n: usize = args.get(1).map_or(10_000, |s| s.parse().unwrap());
        let mut rng = enh_lee_oracle::Rng(args.get(2).map_or(1, |s| s.parse().unwrap()));
        for i in 0..n {
            let len = rng.below(256);
            let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            let result = std::panic::catch_unwind(|| enh_lee_fuzz::run(&data));
            if result.is_err() {
                let name = format!("random-failure-{i}");
                std::fs::write(&name, &data).unwrap();
                eprintln!("input {i} failed; written to {name}");
                std::process::exit(1);
            }
        }
        eprintln!("{n} random inputs passed");
        return;
    }
    for a in &args {
        run_file(Path::new(a));
    }
}
