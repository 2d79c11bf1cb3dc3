//! Helpers shared by the integration tests: dbgen's reference checksums (tests/data).
#![allow(dead_code)]

use sha2::{Digest, Sha256};

/// One row of `checksums.tsv` or `chunks.tsv`.
#[derive(Debug, Clone)]
pub struct Reference {
    pub sf: f64,
    pub table: String,
    pub parts: u64,
    pub part: Option<u64>,
    pub rows: u64,
    pub bytes: u64,
    pub sha256: String,
}

fn parse(text: &str, chunked: bool) -> Vec<Reference> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            if chunked {
                Reference {
                    sf: f[0].parse().unwrap(),
                    table: f[1].to_string(),
                    parts: f[2].parse().unwrap(),
                    part: f[3].parse().ok(),
                    rows: f[4].parse().unwrap(),
                    bytes: f[5].parse().unwrap(),
                    sha256: f[6].to_string(),
                }
            } else {
                Reference {
                    sf: f[0].parse().unwrap(),
                    table: f[1].to_string(),
                    parts: 1,
                    part: None,
                    rows: f[2].parse().unwrap(),
                    bytes: f[3].parse().unwrap(),
                    sha256: f[4].to_string(),
                }
            }
        })
        .collect()
}

/// dbgen's whole-table checksums at SF 0.01, 0.1 and 1.
pub fn checksums() -> Vec<Reference> {
    parse(include_str!("../data/checksums.tsv"), false)
}

/// dbgen's chunk checksums (`-C n -S i`).
pub fn chunks() -> Vec<Reference> {
    parse(include_str!("../data/chunks.tsv"), true)
}

/// Counts rows and bytes and hashes what is fed to it.
#[derive(Default)]
pub struct Digester {
    hasher: Sha256,
    pub bytes: u64,
    pub lines: u64,
}

impl Digester {
    pub fn update(&mut self, data: &[u8]) {
        self.hasher.update(data);
        self.bytes += data.len() as u64;
        self.lines += data.iter().filter(|b| **b == b'\n').count() as u64;
    }

    pub fn hex(self) -> String {
        self.hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}
