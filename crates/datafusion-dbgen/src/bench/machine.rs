//! The machine a benchmark ran on, recorded in its report so that runs can be compared later.

use serde::{Deserialize, Serialize};

/// What a report records about the machine: CPUs, memory, operating system. Each field is read
/// cheaply (the standard library, `/proc/cpuinfo`, `/proc/meminfo`, `/etc/os-release`); what
/// cannot be read is `None`. Reports written before these fields existed load with the
/// defaults (0 CPUs, everything else `None` or empty).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Machine {
    /// CPUs available to the process (`std::thread::available_parallelism`).
    pub cpus: usize,
    /// The CPU's model name (`model name` of `/proc/cpuinfo`).
    pub cpu_model: Option<String>,
    /// Physical memory in bytes (`MemTotal` of `/proc/meminfo`).
    pub memory_bytes: Option<u64>,
    /// The operating system (`linux`, `macos`, …: `std::env::consts::OS`).
    pub os: String,
    /// The distribution (`PRETTY_NAME` of `/etc/os-release`).
    pub os_release: Option<String>,
    /// The kernel release (`/proc/sys/kernel/osrelease`).
    pub kernel: Option<String>,
    /// The CPU architecture (`x86_64`, `aarch64`, …).
    pub arch: String,
}

impl Machine {
    /// The machine this process runs on.
    pub fn current() -> Machine {
        let read = |path: &str| std::fs::read_to_string(path).ok();
        Machine {
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_model: read("/proc/cpuinfo").and_then(|text| cpu_model(&text)),
            memory_bytes: read("/proc/meminfo").and_then(|text| mem_total(&text)),
            os: std::env::consts::OS.to_string(),
            os_release: read("/etc/os-release").and_then(|text| pretty_name(&text)),
            kernel: read("/proc/sys/kernel/osrelease")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            arch: std::env::consts::ARCH.to_string(),
        }
    }

    /// One line: `2 CPUs (AMD EPYC 7B13), 23.4 GiB, Debian GNU/Linux 13 (linux 6.1.0, x86_64)`;
    /// unknown parts are left out, and an empty record (an older report) is `unknown machine`.
    pub fn summary(&self) -> String {
        if self.cpus == 0 && self.os.is_empty() {
            return "unknown machine".to_string();
        }
        let mut parts = Vec::new();
        let mut cpus = format!("{} CPU{}", self.cpus, if self.cpus == 1 { "" } else { "s" });
        if let Some(model) = &self.cpu_model {
            cpus.push_str(&format!(" ({model})"));
        }
        parts.push(cpus);
        if let Some(bytes) = self.memory_bytes {
            parts.push(format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64));
        }
        let mut system = Vec::new();
        system.push(self.os.clone());
        if let Some(kernel) = &self.kernel {
            system.push(kernel.clone());
        }
        let mut os = String::new();
        if let Some(release) = &self.os_release {
            os.push_str(release);
            os.push(' ');
        }
        os.push_str(&format!("({}, {})", system.join(" "), self.arch));
        parts.push(os);
        parts.join(", ")
    }
}

/// The first `model name` of `/proc/cpuinfo` (x86), or its `Model`/`cpu model` line (ARM,
/// MIPS).
fn cpu_model(cpuinfo: &str) -> Option<String> {
    ["model name", "Model", "cpu model"].iter().find_map(|key| {
        cpuinfo.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            (k.trim() == *key && !v.trim().is_empty()).then(|| v.trim().to_string())
        })
    })
}

/// `MemTotal` of `/proc/meminfo`, in bytes.
fn mem_total(meminfo: &str) -> Option<u64> {
    meminfo.lines().find_map(|line| {
        let rest = line.strip_prefix("MemTotal:")?;
        let kib: u64 = rest.trim().trim_end_matches("kB").trim().parse().ok()?;
        Some(kib * 1024)
    })
}

/// `PRETTY_NAME` of `/etc/os-release`, unquoted.
fn pretty_name(os_release: &str) -> Option<String> {
    os_release.lines().find_map(|line| {
        let value = line.strip_prefix("PRETTY_NAME=")?;
        let value = value.trim().trim_matches('"').trim_matches('\'');
        (!value.is_empty()).then(|| value.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_files() {
        let cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n\
                       processor\t: 1\nmodel name\t: AMD EPYC 7B13\n";
        assert_eq!(cpu_model(cpuinfo).as_deref(), Some("AMD EPYC 7B13"));
        assert_eq!(
            cpu_model("processor : 0\nModel : Raspberry Pi 4\n").as_deref(),
            Some("Raspberry Pi 4")
        );
        assert_eq!(cpu_model("processor : 0\n"), None);
        assert_eq!(
            mem_total("MemTotal:       24576000 kB\nMemFree: 1 kB\n"),
            Some(24_576_000 * 1024)
        );
        assert_eq!(mem_total("MemFree: 1 kB\n"), None);
        assert_eq!(
            pretty_name("NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\n")
                .as_deref(),
            Some("Debian GNU/Linux 13 (trixie)")
        );
    }

    #[test]
    fn summaries() {
        assert_eq!(Machine::default().summary(), "unknown machine");
        let m = Machine {
            cpus: 2,
            cpu_model: Some("AMD EPYC".into()),
            memory_bytes: Some(3 << 30),
            os: "linux".into(),
            os_release: Some("Debian 13".into()),
            kernel: Some("6.1.0".into()),
            arch: "x86_64".into(),
        };
        assert_eq!(
            m.summary(),
            "2 CPUs (AMD EPYC), 3.0 GiB, Debian 13 (linux 6.1.0, x86_64)"
        );
        let here = Machine::current();
        assert!(here.cpus >= 1);
        assert!(!here.os.is_empty() && !here.arch.is_empty());
    }
}
