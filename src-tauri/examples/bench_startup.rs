//! The startup benchmark's driver (run it with `scripts/bench-startup.sh`, which builds both
//! windows in release and runs this under a virtual display when there is none).
//!
//! It launches the app (on a store with users: it opens on the lock screen) and the blank
//! window (`examples/blank`) the same way, over WebDriver (tauri-driver and
//! WebKitWebDriver), one after the other, a warm-up launch each and then `--runs` launches
//! each, in the order app, blank, blank, app, ... so that a drift of the machine's load
//! falls on both. For each launch it records:
//! - **painted**: from the session request (the launch) to the first screen on screen, as
//!   the page itself records it (`data-painted-at` on `#main`: the wall-clock time at the
//!   start of the frame after the one that drew the screen, which WebKit begins only once
//!   that one was presented), read back over WebDriver. The headline figure; it splits at
//!   the page's start (`data-page-start`, `performance.timeOrigin`) into the native part
//!   (process, window, web process) and the page's part;
//! - **found**: from the session request to the driver finding that marker (includes the
//!   driver's polling);
//! - **PSS**: `--settle` seconds after the marker, the proportional set size of the
//!   launched process and every process under it (WebKitWebProcess, WebKitNetworkProcess),
//!   summed from `/proc/PID/smaps_rollup`;
//! - **marks**: where the page's time went (`data-marks`: milliseconds from the page's start
//!   to its script, the core's answers, the screen drawn, the two frames after it and the
//!   first contentful paint), printed as the page wrote them.
//!
//! It prints each launch, then the medians, the ratios app / blank and both binaries'
//! sizes. Linux only (it reads `/proc`).

use std::collections::HashMap;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use caregiver::app::SystemClock;
use caregiver::store::{Role, STORE_FILE, Store};
use clap::Parser;
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

/// Times the app's launch to its lock screen against a blank Tauri window.
#[derive(Debug, Parser)]
struct Args {
    /// The app's release binary.
    #[arg(long)]
    app: PathBuf,
    /// The blank window's release binary (`examples/blank`).
    #[arg(long)]
    blank: PathBuf,
    /// Launches of each, after one warm-up launch each that is not counted.
    #[arg(long, default_value_t = 7)]
    runs: usize,
    /// Seconds after the first paint at which memory is read.
    #[arg(long, default_value_t = 3)]
    settle: u64,
    /// tauri-driver (default: from PATH, or the cargo home's bin folder).
    #[arg(long, env = "TAURI_DRIVER")]
    driver: Option<PathBuf>,
}

/// The marker both pages set on `#main` after their first screen's first paint.
const PAINTED: &str = "#main[data-painted-at]";
const START_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    App,
    Blank,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::App => "app",
            Side::Blank => "blank",
        }
    }
}

/// One launch's figures.
#[derive(Debug, Clone)]
struct Launch {
    /// What the page marked on its way (`data-marks`), if it marks anything.
    marks: String,
    /// From the launch to the page's start (`performance.timeOrigin`).
    page_ms: f64,
    painted_ms: f64,
    found_ms: f64,
    pss_kb: u64,
    processes: usize,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench_startup: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<(), String> {
    let app = absolute(&args.app)?;
    let blank = absolute(&args.blank)?;
    let driver = args.driver.clone().unwrap_or_else(tauri_driver);
    let root = tempfile::Builder::new()
        .prefix("caregiver-bench-startup-")
        .tempdir()
        .map_err(|e| format!("temp folder: {e}"))?;
    let data_dir = root.path().join("data");
    make_store(&data_dir)?;

    let mut results: HashMap<&str, Vec<Launch>> = HashMap::new();
    for round in 0..=args.runs {
        // app, blank, blank, app, ...: each side goes first every other round.
        let order =
            if round % 2 == 0 { [Side::App, Side::Blank] } else { [Side::Blank, Side::App] };
        for side in order {
            let binary = match side {
                Side::App => &app,
                Side::Blank => &blank,
            };
            let home = root.path().join(format!("home-{}", side.name()));
            let launch = launch(&driver, binary, &data_dir, &home, args.settle).await?;
            let label = if round == 0 { "warm-up" } else { "run" };
            println!(
                "{label} {round} {:5}: page start {:6.1} ms, painted {:6.1} ms, found {:6.1} ms, PSS {:6.1} MB ({} processes) {}",
                side.name(),
                launch.page_ms,
                launch.painted_ms,
                launch.found_ms,
                mb(launch.pss_kb),
                launch.processes,
                launch.marks
            );
            if round > 0 {
                results.entry(side.name()).or_default().push(launch);
            }
        }
    }

    let app_runs = results.remove("app").unwrap_or_default();
    let blank_runs = results.remove("blank").unwrap_or_default();
    let med = |runs: &[Launch], f: fn(&Launch) -> f64| median(runs.iter().map(f).collect());
    let (a_paint, b_paint) = (med(&app_runs, |l| l.painted_ms), med(&blank_runs, |l| l.painted_ms));
    let (a_page, b_page) = (med(&app_runs, |l| l.page_ms), med(&blank_runs, |l| l.page_ms));
    let (a_found, b_found) = (med(&app_runs, |l| l.found_ms), med(&blank_runs, |l| l.found_ms));
    let pss = |l: &Launch| mb(l.pss_kb);
    let (a_pss, b_pss) = (med(&app_runs, pss), med(&blank_runs, pss));
    println!();
    println!("medians of {} launches each (after one warm-up each):", args.runs);
    println!(
        "  launch to first screen painted: app {:.0} ms, blank {:.0} ms: {:.2}x (target at most 1.3x)",
        a_paint,
        b_paint,
        a_paint / b_paint
    );
    // Each round's app and blank ran back to back, under the same load: the median of the
    // rounds' ratios is steadier than the ratio of the medians on a shared machine.
    let paired = median(
        app_runs.iter().zip(&blank_runs).map(|(a, b)| a.painted_ms / b.painted_ms).collect(),
    );
    println!("  the same, median of each round's ratio: {paired:.2}x");
    println!(
        "  of which launch to the page's start: app {a_page:.0} ms, blank {b_page:.0} ms; page start to painted: app {:.0} ms, blank {:.0} ms",
        med(&app_runs, |l| l.painted_ms - l.page_ms),
        med(&blank_runs, |l| l.painted_ms - l.page_ms)
    );
    println!(
        "  launch to marker found by the driver: app {:.0} ms, blank {:.0} ms: {:.2}x",
        a_found,
        b_found,
        a_found / b_found
    );
    println!(
        "  PSS {}s after the first paint (process and its WebKit children): app {:.1} MB, blank {:.1} MB: {:.2}x (target at most 1.25x)",
        args.settle,
        a_pss,
        b_pss,
        a_pss / b_pss
    );
    for (name, path) in [("app", &app), ("blank", &blank)] {
        let size = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?.len();
        println!(
            "  release binary, {name}: {:.1} MB ({size} bytes){}",
            size as f64 / 1e6,
            if name == "app" { " (target under 20 MB)" } else { "" }
        );
    }
    Ok(())
}

/// A store with an admin, two more users and an emergency code: the lock screen shows three
/// names and the emergency button.
fn make_store(data_dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
    let path = data_dir.join(STORE_FILE);
    let pass = b"correct horse battery staple";
    let fail = |e: caregiver::Error| format!("making the store: {e}");
    let (mut admin, _) =
        Store::create(&path, "Ada Admin", pass, SystemClock::shared()).map_err(fail)?;
    admin.add_user("Ian Lead", Role::Lead, pass, None).map_err(fail)?;
    admin.add_user("Nora Nurse", Role::Staff, pass, Some("Ward 3")).map_err(fail)?;
    admin.set_emergency_code(b"WARD-3-CODE-2468").map_err(fail)?;
    Ok(())
}

/// Launches `binary` under a fresh driver, waits for its first paint, reads its memory
/// `settle` seconds later, and stops it.
async fn launch(
    driver: &Path,
    binary: &Path,
    data_dir: &Path,
    home: &Path,
    settle: u64,
) -> Result<Launch, String> {
    std::fs::create_dir_all(home).map_err(|e| format!("{}: {e}", home.display()))?;
    let (port, native_port) = (free_port()?, free_port()?);
    let child = Command::new(driver)
        .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
        .env("CAREGIVER_DATA_DIR", data_dir)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {} ({e}): run scripts/setup.sh", driver.display()))?;
    let mut guard = Driver(child);
    wait_for_port(port, &mut guard)?;
    wait_for_port(native_port, &mut guard)?;

    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "wry".into());
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": binary.display().to_string(), "args": [] }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let started_wall = epoch_ms();
    let started = Instant::now();
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&url)
        .await
        .map_err(|e| format!("no WebDriver session for {}: {e}", binary.display()))?;
    let measured = measure(&client, started, started_wall, guard.0.id(), binary, settle).await;
    let _ = client.close().await;
    drop(guard);
    measured
}

async fn measure(
    client: &Client,
    started: Instant,
    started_wall: f64,
    driver_pid: u32,
    binary: &Path,
    settle: u64,
) -> Result<Launch, String> {
    // The driver waits for the marker itself (an implicit wait): no request per poll.
    client
        .update_timeouts(TimeoutConfiguration::new(None, None, Some(Duration::from_secs(30))))
        .await
        .map_err(|e| format!("setting the implicit wait: {e}"))?;
    let marker = client
        .find(Locator::Css(PAINTED))
        .await
        .map_err(|e| format!("{} never painted its first screen: {e}", binary.display()))?;
    let found_ms = started.elapsed().as_secs_f64() * 1e3;
    let painted_at = marker
        .attr("data-painted-at")
        .await
        .map_err(|e| format!("reading the marker: {e}"))?
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or("the marker holds no time")?;
    let page_start = marker
        .attr("data-page-start")
        .await
        .map_err(|e| format!("reading the marker: {e}"))?
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or("the marker holds no page start")?;
    let marks = marker.attr("data-marks").await.ok().flatten().unwrap_or_default();
    tokio::time::sleep(Duration::from_secs(settle)).await;
    let (pss_kb, processes) = tree_pss(driver_pid, binary)?;
    Ok(Launch {
        marks,
        page_ms: page_start - started_wall,
        painted_ms: painted_at - started_wall,
        found_ms,
        pss_kb,
        processes,
    })
}

/// The PSS (kB) of the process running `binary` under the driver, and of every process
/// under it, and how many processes that is.
fn tree_pss(driver_pid: u32, binary: &Path) -> Result<(u64, usize), String> {
    let parents = parent_map()?;
    let under = |root: u32| {
        let mut found = vec![root];
        let mut i = 0;
        while let Some(&p) = found.get(i) {
            found.extend(parents.iter().filter(|&(_, &pp)| pp == p).map(|(&c, _)| c));
            i += 1;
        }
        found
    };
    let app_pid = under(driver_pid)
        .into_iter()
        .find(|&p| {
            std::fs::read_link(format!("/proc/{p}/exe")).is_ok_and(|exe| exe.as_path() == binary)
        })
        .ok_or_else(|| format!("no process runs {} under the driver", binary.display()))?;
    let tree = under(app_pid);
    let mut total = 0;
    for pid in &tree {
        total += pss_kb(*pid)?;
    }
    Ok((total, tree.len()))
}

/// Every process's parent, from `/proc/PID/stat`.
fn parent_map() -> Result<HashMap<u32, u32>, String> {
    let mut parents = HashMap::new();
    for entry in std::fs::read_dir("/proc").map_err(|e| format!("/proc: {e}"))? {
        let Ok(entry) = entry else { continue };
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parents.insert(pid, ppid);
        }
    }
    Ok(parents)
}

/// One process's PSS in kB, from `/proc/PID/smaps_rollup`.
fn pss_kb(pid: u32) -> Result<u64, String> {
    let path = format!("/proc/{pid}/smaps_rollup");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    text.lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("{path}: no Pss line"))
}

fn mb(kb: u64) -> f64 {
    kb as f64 * 1024.0 / 1e6
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match (values.get(n / 2), n.checked_sub(1).and_then(|m| values.get(m / 2))) {
        (Some(hi), Some(lo)) => (hi + lo) / 2.0,
        _ => f64::NAN,
    }
}

fn epoch_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

fn absolute(path: &Path) -> Result<PathBuf, String> {
    std::fs::canonicalize(path).map_err(|e| format!("{}: {e} (build it first)", path.display()))
}

/// The running tauri-driver; stopped with SIGTERM when dropped (a SIGKILL would orphan
/// WebKitWebDriver).
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.0.try_wait() {
            return;
        }
        if let Ok(pid) = i32::try_from(self.0.id()) {
            let pid = nix::unistd::Pid::from_raw(pid);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tauri_driver() -> PathBuf {
    let in_cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|c| c.join("bin/tauri-driver"));
    match in_cargo_home {
        Some(p) if p.exists() => p,
        _ => PathBuf::from("tauri-driver"),
    }
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn wait_for_port(port: u16, driver: &mut Driver) -> Result<(), String> {
    let deadline = Instant::now() + START_TIMEOUT;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = driver.0.try_wait() {
            return Err(format!("tauri-driver exited ({status}) before port {port} opened"));
        }
        if Instant::now() >= deadline {
            return Err(format!("port {port} never opened"));
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    Ok(())
}
