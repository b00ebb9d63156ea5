//! The shared harness: start tauri-driver on two free ports with an isolated environment,
//! wait until both it and WebKitWebDriver accept connections, open a WebDriver session on
//! the built app, and stop the driver with SIGTERM when the [`App`] is dropped.
//!
//! The app and CLI under test are the ones cargo builds for this run, unless
//! `CAREGIVER_E2E_APP` and `CAREGIVER_E2E_CLI` name others: the install test
//! (`installed.rs`, run by `scripts/test-install.sh`) sets them to the installed package's
//! `/usr/bin/caregiver-desktop` and `/usr/bin/caregiver`.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use caregiver::app::SystemClock;
use caregiver::clock::SharedClock;
use caregiver::store::{STORE_FILE, Session, Store};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use tempfile::TempDir;

/// Names the desktop app the tests drive, instead of the one cargo built for this run.
pub const APP_ENV: &str = "CAREGIVER_E2E_APP";
/// Names the `caregiver` CLI the tests run, instead of this workspace's.
pub const CLI_ENV: &str = "CAREGIVER_E2E_CLI";

/// The desktop app under test: [`APP_ENV`] if set, else the binary cargo built for this run.
pub fn app_bin() -> PathBuf {
    match std::env::var_os(APP_ENV).filter(|p| !p.is_empty()) {
        Some(path) => path.into(),
        None => env!("CARGO_BIN_EXE_caregiver-desktop").into(),
    }
}

/// The admin of stores made by [`App::launch_with_store`].
pub const ADMIN: &str = "Ada Admin";
pub const ADMIN_PASS: &str = "correct horse battery staple";

const START_TIMEOUT: Duration = Duration::from_secs(60);
const WAIT_TIMEOUT: Duration = Duration::from_secs(20);

/// A running app under WebDriver. Dropping it stops the driver (and with it the app).
pub struct App {
    pub client: Client,
    /// The app's data folder (`CAREGIVER_DATA_DIR`), inside [`App::root`].
    pub data_dir: PathBuf,
    driver: Child,
    root: TempDir,
}

impl App {
    /// Starts the app with a fresh, empty data folder: it opens on the first-run screen.
    pub async fn launch() -> App {
        Self::launch_prepared(|_| {}).await
    }

    /// Starts the app on a store made beforehand (admin [`ADMIN`] / [`ADMIN_PASS`]);
    /// `prepare` may add to it through the core. The app opens on the lock screen.
    pub async fn launch_with_store(prepare: impl FnOnce(&mut Session)) -> App {
        Self::launch_prepared(|data_dir| {
            let path = data_dir.join(STORE_FILE);
            let (mut session, _) =
                Store::create(&path, ADMIN, ADMIN_PASS.as_bytes(), clock()).unwrap();
            prepare(&mut session);
        })
        .await
    }

    /// Starts the app on a store an admin set up with the `caregiver` CLI, as a hospital's
    /// IT does: `prepare` runs CLI commands (see [`Cli`]) on the app's data folder, whose
    /// store [`Cli::init`] makes. The app opens on the lock screen.
    pub async fn launch_with_cli(prepare: impl FnOnce(&Cli)) -> App {
        Self::launch_prepared(|data_dir| prepare(&Cli::new(data_dir))).await
    }

    /// Starts the app on the data folder `data_dir`, which the caller made and keeps: it
    /// outlives the app (the install test looks at the store after the package is gone).
    /// Home, exports and the driver's log are in the app's own temp folder.
    pub async fn launch_on(data_dir: &Path) -> App {
        let root = tempfile::Builder::new().prefix("caregiver-e2e-").tempdir().unwrap();
        Self::start(root, data_dir.to_path_buf()).await
    }

    async fn launch_prepared(prepare: impl FnOnce(&Path)) -> App {
        let root = tempfile::Builder::new().prefix("caregiver-e2e-").tempdir().unwrap();
        let data_dir = root.path().join("data");
        prepare(&data_dir);
        Self::start(root, data_dir).await
    }

    async fn start(root: TempDir, data_dir: PathBuf) -> App {
        let home = root.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        assert!(
            std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some(),
            "no display: run the end-to-end tests under `xvfb-run -a` (scripts/test.sh does)"
        );

        // A port found free can be taken by another process before the driver listens on
        // it: then the driver starts again, on new ports.
        let mut failures = Vec::new();
        for _ in 0..3 {
            let (port, native_port) = (free_port(), free_port());
            let log = std::fs::File::create(root.path().join("driver.log")).unwrap();
            let driver = Command::new(tauri_driver())
                .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
                // Everything the app or WebKit might write goes under the temp root.
                .env("CAREGIVER_DATA_DIR", &data_dir)
                // The managed configuration is looked for beside the data folder (empty
                // unless the test puts one there), never in the machine's own place. A
                // release build (the installed package) ignores this and reads the
                // machine's own place, /etc/caregiver-playbook.
                .env("CAREGIVER_MANAGED_DIR", managed_dir(&data_dir))
                .env("CAREGIVER_EXPORT_DIR", root.path().join("exports"))
                .env("HOME", &home)
                .env("XDG_DATA_HOME", home.join(".local/share"))
                .env("XDG_CONFIG_HOME", home.join(".config"))
                .env("XDG_CACHE_HOME", home.join(".cache"))
                .env("XDG_STATE_HOME", home.join(".local/state"))
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("cannot start tauri-driver ({e}): run scripts/setup.sh")
                });
            // Guard the child at once, so a failure below still stops it.
            let mut guard = DriverGuard(Some(driver));
            let started = wait_for_port(port, &mut guard, root.path())
                .and_then(|()| wait_for_port(native_port, &mut guard, root.path()));
            let client = match started {
                Ok(()) => connect(port, root.path()).await,
                Err(e) => Err(e),
            };
            match client {
                Ok(client) => {
                    return App { client, data_dir, driver: guard.0.take().unwrap(), root };
                }
                Err(e) => failures.push(e),
            }
        }
        panic!("the driver did not start, three times:\n{}", failures.join("\n\n"));
    }

    /// The temp folder that holds this app's home and driver log, and its data folder
    /// unless it was started [`App::launch_on`] one of the caller's.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Waits until `css` matches an element whose `data-state` is no longer `loading`, and
    /// returns that state with the element's text (for failure messages).
    pub async fn settled_state(&self, css: &str) -> (String, String) {
        let deadline = Instant::now() + WAIT_TIMEOUT;
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                let state = el.attr("data-state").await.ok().flatten().unwrap_or_default();
                if state != "loading" {
                    return (state, el.text().await.unwrap_or_default());
                }
            }
            assert!(Instant::now() < deadline, "{css} still loading after {WAIT_TIMEOUT:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Where the app saves exports (`CAREGIVER_EXPORT_DIR`).
    pub fn export_dir(&self) -> PathBuf {
        self.root.path().join("exports")
    }

    /// The store file the app uses.
    pub fn store_path(&self) -> PathBuf {
        self.data_dir.join(STORE_FILE)
    }

    /// `name`, given the first passphrase `first` by an admin, sets their own, `own` (as at
    /// a first unlock), through the core while the app runs.
    pub fn set_own_passphrase(&self, name: &str, first: &str, own: &str) {
        Store::open(&self.store_path(), clock())
            .unwrap()
            .unlock(name, first.as_bytes())
            .unwrap()
            .change_passphrase(name, own.as_bytes())
            .unwrap();
    }

    /// Waits until the main area shows `screen` (its `data-screen`), and fails with what it
    /// shows instead.
    pub async fn wait_screen(&self, screen: &str) {
        let deadline = Instant::now() + WAIT_TIMEOUT;
        let mut seen = String::new();
        while Instant::now() < deadline {
            if let Ok(el) = self.client.find(Locator::Css("#main")).await {
                seen = el.attr("data-screen").await.ok().flatten().unwrap_or_default();
                if seen == screen {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("waited for the {screen} screen; still on {seen}:\n{}", self.main_text().await);
    }

    /// Waits until an element matching `css` exists and returns it.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self.client.wait().at_most(WAIT_TIMEOUT).for_element(Locator::Css(css)).await {
            Ok(el) => el,
            Err(e) => panic!("no {css} ({e}); the screen says:\n{}", self.main_text().await),
        }
    }

    /// Whether an element matching `css` is in the page now.
    pub async fn exists(&self, css: &str) -> bool {
        !self.client.find_all(Locator::Css(css)).await.unwrap().is_empty()
    }

    /// Clicks `css`, finding it again if the screen redrew between finding and clicking.
    pub async fn click(&self, css: &str) {
        let deadline = Instant::now() + WAIT_TIMEOUT;
        loop {
            match self.find(css).await.click().await {
                Ok(()) => return,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("cannot click {css}: {e}"),
            }
        }
    }

    /// Types `text` into the input `css` (after clearing it).
    pub async fn fill(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        el.clear().await.unwrap();
        el.send_keys(text).await.unwrap();
    }

    /// The main area's text, for failure messages.
    pub async fn main_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Signs in on the lock screen and waits for the screen that follows.
    pub async fn unlock(&self, name: &str, passphrase: &str, then: &str) {
        self.wait_screen("locked").await;
        let radio = format!("input[name=unlock-name][value=\"{name}\"]");
        self.click(&radio).await;
        self.fill("#unlock-pass", passphrase).await;
        self.click("#unlock-submit").await;
        self.wait_screen(then).await;
    }

    /// Opens emergency access with the ward's `code` on the lock screen, and waits for
    /// its home screen.
    pub async fn unlock_emergency(&self, code: &str) {
        self.wait_screen("locked").await;
        self.click("#emergency-open").await;
        self.fill("#emergency-code", code).await;
        self.click("#emergency-submit").await;
        self.wait_screen("emergency").await;
    }

    /// Waits until the guided screen shows another step than `step` (or the end).
    pub async fn wait_for_step_change(&self, step: &str) {
        let deadline = Instant::now() + WAIT_TIMEOUT;
        loop {
            if let Ok(el) = self.client.find(Locator::Css("#guided-title")).await
                && let Ok(now) = el.attr("data-step").await
                && now.as_deref() != Some(step)
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the step {step} did not move on:\n{}",
                self.main_text().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the guided screen is drawn again for the same step (after a note).
    pub async fn wait_for_step_change_or_same(&self, step: &str) {
        let deadline = Instant::now() + WAIT_TIMEOUT;
        loop {
            let boxes = self.client.find_all(Locator::Css("#note-text")).await.unwrap_or_default();
            let hidden = match boxes.first() {
                Some(b) => !b.is_displayed().await.unwrap_or(false),
                None => true,
            };
            if hidden {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the note for {step} was not saved:\n{}",
                self.main_text().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// An attribute of the element matching `css` now, or `None` (no element, no such
    /// attribute, or the element was redrawn while being read: ask again).
    pub async fn attr_now(&self, css: &str, name: &str) -> Option<String> {
        let el = self.client.find(Locator::Css(css)).await.ok()?;
        el.attr(name).await.ok().flatten()
    }

    /// Waits until the element matching `css` has `name` = `value` (screens redraw after
    /// every action, so a read can meet an element on its way out).
    pub async fn wait_attr(&self, css: &str, name: &str, value: &str) {
        let deadline = Instant::now() + WAIT_TIMEOUT;
        while self.attr_now(css, name).await.as_deref() != Some(value) {
            assert!(
                Instant::now() < deadline,
                "{css} never had {name}={value}:\n{}",
                self.main_text().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The visible texts of every element matching `css`, in document order.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for el in self.client.find_all(Locator::Css(css)).await.unwrap() {
            out.push(el.text().await.unwrap());
        }
        out
    }

    /// The text of the element matching `css`, once there; found again when the screen
    /// redrew it between finding and reading (a stale element).
    pub async fn text(&self, css: &str) -> String {
        let deadline = Instant::now() + WAIT_TIMEOUT;
        loop {
            match self.find(css).await.text().await {
                Ok(text) => return text,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("cannot read {css}: {e}"),
            }
        }
    }

    /// Like [`App::texts`], but first waits until at least one element matches `css`: for
    /// rows and lists a screen fills in after it shows.
    pub async fn texts_of_shown(&self, css: &str) -> Vec<String> {
        self.find(css).await;
        self.texts(css).await
    }

    /// Hands `text` to the file input `css` as the file `name`, as a person choosing it
    /// would (the page reads it as text).
    pub async fn choose_file(&self, css: &str, name: &str, text: &str) {
        let script = r#"
            const [css, name, text] = arguments;
            const input = document.querySelector(css);
            const file = new File([text], name);
            try {
                const t = new DataTransfer();
                t.items.add(file);
                input.files = t.files;
            } catch (_) {
                Object.defineProperty(input, "files", { value: [file], configurable: true });
            }
            input.dispatchEvent(new Event("change", { bubbles: true }));
        "#;
        self.find(css).await;
        let args = vec![css.into(), name.into(), text.into()];
        self.client.execute(script, args).await.unwrap();
    }

    /// Runs a script in the page and returns its result.
    pub async fn eval(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    /// Ends the WebDriver session (closing the app), then stops the driver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for App {
    fn drop(&mut self) {
        stop(&mut self.driver);
    }
}

/// The clock stores made by the tests run on: the system's (the app runs on it too).
pub fn clock() -> SharedClock {
    SystemClock::shared()
}

/// The `caregiver` CLI on one data folder, signed in as [`ADMIN`].
pub struct Cli {
    data_dir: PathBuf,
    pass_file: PathBuf,
}

/// Where the app (and the CLI) of a test look for the managed configuration: beside its
/// data folder.
pub fn managed_dir(data_dir: &Path) -> PathBuf {
    data_dir.with_file_name("managed")
}

impl Cli {
    /// The CLI on `data_dir` (made if missing); the admin's passphrase file goes beside it.
    pub fn new(data_dir: &Path) -> Cli {
        std::fs::create_dir_all(data_dir).unwrap();
        let pass_file = data_dir.with_file_name("admin-passphrase");
        std::fs::write(&pass_file, ADMIN_PASS).unwrap();
        Cli { data_dir: data_dir.to_path_buf(), pass_file }
    }

    /// `caregiver init`: the store and its first admin, [`ADMIN`].
    pub fn init(&self) {
        self.ok(&["init", "--admin", ADMIN]);
    }

    /// Runs `caregiver ARGS --user ADMIN --passphrase-file ...`; fails the test unless it
    /// succeeds, and returns what it printed.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = Command::new(caregiver_cli())
            .args(args)
            .arg("--user")
            .arg(ADMIN)
            .arg("--passphrase-file")
            .arg(&self.pass_file)
            .env("CAREGIVER_DATA_DIR", &self.data_dir)
            .env("CAREGIVER_MANAGED_DIR", managed_dir(&self.data_dir))
            .env_remove("CAREGIVER_STORE")
            .env_remove("CAREGIVER_USER")
            .output()
            .unwrap();
        let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
        assert!(out.status.success(), "caregiver {args:?}: {}", text(out.stderr));
        text(out.stdout)
    }

    /// The folder the app looks in for its managed configuration (see [`managed_dir`]).
    pub fn managed_dir(&self) -> PathBuf {
        managed_dir(&self.data_dir)
    }

    /// A file for a command to read (a secret, an import), beside the data folder.
    pub fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.data_dir.with_file_name(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    }
}

/// The `caregiver` CLI under test: [`CLI_ENV`] if set, else this workspace's, built (once
/// per test run) if it is not.
pub fn caregiver_cli() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            if let Some(path) = std::env::var_os(CLI_ENV).filter(|p| !p.is_empty()) {
                return path.into();
            }
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
            let status = Command::new(env!("CARGO"))
                .args(["build", "--quiet", "--locked", "-p", "caregiver", "--bin", "caregiver"])
                .current_dir(root)
                .status()
                .unwrap();
            assert!(status.success(), "cannot build the caregiver CLI");
            // The test binary is target/<profile>/deps/e2e-<hash>: the CLI is in the profile.
            let exe = std::env::current_exe().unwrap();
            exe.parent().unwrap().parent().unwrap().join("caregiver")
        })
        .clone()
}

struct DriverGuard(Option<Child>);

impl Drop for DriverGuard {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            stop(child);
        }
    }
}

/// SIGTERM, not SIGKILL: tauri-driver then stops WebKitWebDriver too, which a SIGKILL would
/// orphan (still holding the test's output open).
fn stop(child: &mut Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return p.into();
    }
    let in_cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|c| c.join("bin/tauri-driver"));
    match in_cargo_home {
        Some(p) if p.exists() => p,
        _ => PathBuf::from("tauri-driver"),
    }
}

/// A port nothing listens on now, and never handed out before in this run: tests start
/// in parallel, and two drivers given the same port proxy to each other (a CI run failed
/// so, one driver unable to listen and the other out of file handles).
fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<std::collections::BTreeSet<u16>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    loop {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        if GIVEN.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(port) {
            return port;
        }
    }
}

fn wait_for_port(port: u16, driver: &mut DriverGuard, root: &Path) -> Result<(), String> {
    let deadline = Instant::now() + START_TIMEOUT;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(Ok(Some(status))) = driver.0.as_mut().map(Child::try_wait) {
            return Err(format!(
                "tauri-driver exited ({status}) before port {port} opened:\n{}",
                log(root)
            ));
        }
        if Instant::now() >= deadline {
            return Err(format!("port {port} never opened:\n{}", log(root)));
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    Ok(())
}

async fn connect(port: u16, root: &Path) -> Result<Client, String> {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "wry".into());
    let application = app_bin();
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({ "application": application, "args": [] }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let mut last = None;
    // A loaded machine sometimes drops the first session requests: keep trying a while.
    for _ in 0..20 {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return Ok(client),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(format!("no WebDriver session on {url}: {last:?}\n{}", log(root)))
}

/// The driver's log, for failure messages.
pub fn log(root: &Path) -> String {
    std::fs::read_to_string(root.join("driver.log")).unwrap_or_default()
}
