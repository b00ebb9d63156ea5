//! The installed package (issue 16): the real `.deb` installed on this machine with
//! apt-get, a managed configuration in `/etc/caregiver-playbook/` (a pack signed with a key
//! made by the installed CLI), the installed app started under the harness, a store from
//! the previous schema opened by the installed package, then the package removed.
//!
//! Ignored by default: it needs root and changes the machine while it runs (the package,
//! `/etc/caregiver-playbook`), and it refuses to start if either is already there.
//! `scripts/test-install.sh` builds the packages and runs it with `CAREGIVER_E2E_DEB` naming
//! the `.deb` and the harness pointed at `/usr/bin/caregiver-desktop` and
//! `/usr/bin/caregiver` (`CAREGIVER_E2E_APP`, `CAREGIVER_E2E_CLI`); `scripts/test.sh` runs
//! that when it runs as root (CI), and says it skipped it otherwise. Every data folder is a
//! temp folder: the installed app never touches the real user's.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use caregiver::store::{STORE_FILE, Store, schema};

use crate::harness::{self, ADMIN, ADMIN_PASS, App, Cli};

const PACKAGE: &str = "caregiver-playbook";
const MANAGED_DIR: &str = "/etc/caregiver-playbook";
const DEB_ENV: &str = "CAREGIVER_E2E_DEB";
const MANAGED_BY: &str = "St Example's IT, service desk x4357";
const MANAGED_TITLE: &str = "EHR downtime (St Example's, installed)";
/// The previous release's schema: its fixture is the store an upgrade finds.
const FIXTURE: &str = "tests/fixtures/store-v7.db";
const FIXTURE_ADMIN: &str = "Fixture Admin";
const FIXTURE_PASS: &str = "fixture passphrase 1";

#[tokio::test(flavor = "multi_thread")]
#[ignore = "installs the .deb on this machine as root: scripts/test-install.sh runs it"]
async fn installed_package_runs_managed_upgrades_a_store_and_uninstalls_cleanly() {
    let deb = std::env::var_os(DEB_ENV).map(PathBuf::from).unwrap_or_else(|| {
        panic!("{DEB_ENV} does not name the .deb: run scripts/test-install.sh (as root)")
    });
    assert!(deb.is_absolute() && deb.is_file(), "{DEB_ENV}={} is not a file", deb.display());
    let uid = text(run(Command::new("id").arg("-u")).stdout);
    assert_eq!(uid.trim(), "0", "the install test installs a package: run it as root");
    assert!(
        !Path::new(MANAGED_DIR).exists(),
        "{MANAGED_DIR} exists: this machine is managed already; the test will not overwrite it"
    );
    assert!(!installed(), "{PACKAGE} is installed already; the test will not remove it");
    let mut machine = Machine { installed: false };

    // The package: installed with apt-get, as IT's tools do, with every file it lists.
    let info = ok(Command::new("dpkg-deb").args(["-f"]).arg(&deb).args(["Package", "Version"]));
    assert!(info.contains(&format!("Package: {PACKAGE}")), "{info}");
    let control = ok(Command::new("dpkg-deb").arg("--info").arg(&deb));
    for script in ["preinst", "postinst", "prerm", "postrm"] {
        assert!(!control.contains(script), "the package runs a {script} script:\n{control}");
    }
    machine.installed = true;
    ok(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .arg(&deb)
        .env("DEBIAN_FRONTEND", "noninteractive"));
    assert!(installed(), "apt-get install left {PACKAGE} uninstalled");
    let status =
        ok(Command::new("dpkg-query").args(["-W", "-f=${Version} ${Installed-Size}", PACKAGE]));
    println!("install: {PACKAGE} {status} (version, Installed-Size in KiB)");
    let files: Vec<PathBuf> =
        ok(Command::new("dpkg").args(["-L", PACKAGE])).lines().map(PathBuf::from).collect();
    let app_bin = Path::new("/usr/bin/caregiver-desktop");
    let cli_bin = Path::new("/usr/bin/caregiver");
    let licence = Path::new("/usr/share/doc/caregiver-playbook/LICENSE");
    for file in [app_bin, cli_bin, licence] {
        assert!(files.iter().any(|f| f == file), "the package lacks {}", file.display());
        assert!(file.is_file(), "{} was not installed", file.display());
    }
    let entry = files
        .iter()
        .find(|f| {
            f.starts_with("/usr/share/applications") && f.extension() == Some("desktop".as_ref())
        })
        .expect("the package has no desktop entry");
    let entry_text = std::fs::read_to_string(entry).unwrap();
    assert!(entry_text.contains("Exec=caregiver-desktop"), "{entry_text}");
    assert!(files.iter().any(|f| f.starts_with("/usr/share/icons/hicolor")), "no icons");
    // The harness drives the installed binaries, not the ones cargo built.
    assert_eq!(harness::app_bin(), app_bin, "set {}", harness::APP_ENV);
    assert_eq!(harness::caregiver_cli(), cli_bin, "set {}", harness::CLI_ENV);
    for bin in [app_bin, cli_bin] {
        let owner = ok(Command::new("dpkg").arg("-S").arg(bin));
        assert_eq!(owner.trim(), format!("{PACKAGE}: {}", bin.display()));
    }
    let version = ok(Command::new(cli_bin).arg("--version"));
    assert!(status.starts_with(version.trim().trim_start_matches("caregiver ")), "{version}");

    // The managed configuration, made as IT makes it: a key and a signed pack from the
    // installed CLI, root's files that users can read and not change.
    let it = tempfile::tempdir().unwrap();
    let key = it.path().join("signing.key");
    let said = ok(installed_cli(it.path()).args(["pack", "keygen", "--out"]).arg(&key));
    let public = said.lines().last().unwrap().trim().to_owned();
    let playbooks = it.path().join("playbooks");
    std::fs::create_dir_all(&playbooks).unwrap();
    let ehr = include_str!("../../playbooks/ehr-downtime.toml").replacen(
        "title = \"EHR or clinical system downtime (planned and unplanned)\"",
        &format!("title = \"{MANAGED_TITLE}\""),
        1,
    );
    std::fs::write(playbooks.join("ehr-downtime.toml"), ehr).unwrap();
    std::fs::create_dir_all(MANAGED_DIR).unwrap();
    std::fs::set_permissions(MANAGED_DIR, std::fs::Permissions::from_mode(0o755)).unwrap();
    let pack = Path::new(MANAGED_DIR).join("pack.json");
    ok(installed_cli(it.path())
        .args(["pack", "sign"])
        .arg(&playbooks)
        .arg("--key")
        .arg(&key)
        .arg("--out")
        .arg(&pack)
        .args(["--pack-version", "11"]));
    let managed_toml = Path::new(MANAGED_DIR).join("managed.toml");
    std::fs::write(
        &managed_toml,
        format!(
            "managed_by = \"{MANAGED_BY}\"\n\n[pack]\nfile = \"pack.json\"\nkeys = [\"{public}\"]\n\n[settings]\nidle_lock_minutes = 10\nward_label = \"Ward 4 East\"\n\n[policy]\nforbid_local_changes = true\n"
        ),
    )
    .unwrap();
    for file in [&pack, &managed_toml] {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    // `deploy check` with no --dir reads the system-wide place; the installed (release)
    // CLI ignores CAREGIVER_MANAGED_DIR, which here names an empty folder.
    let empty = it.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let check =
        ok(installed_cli(it.path()).args(["deploy", "check"]).env("CAREGIVER_MANAGED_DIR", &empty));
    assert!(
        check.contains(&format!(
            "ok: {MANAGED_DIR} is a managed configuration, managed by {MANAGED_BY}"
        )),
        "{check}"
    );
    assert!(check.contains("pack version 11"), "{check}");
    assert!(check.contains("local admins may not change"), "{check}");
    // A pack spoilt on its way is named with its file, and nothing is in force from it.
    let good = std::fs::read(&pack).unwrap();
    let tampered = String::from_utf8(good.clone()).unwrap().replace(MANAGED_TITLE, "EHR (edited)");
    std::fs::write(&pack, tampered).unwrap();
    let bad = run(installed_cli(it.path()).args(["deploy", "check"]));
    assert_eq!(bad.status.code(), Some(1));
    let err = text(bad.stderr);
    assert!(err.contains(&format!("{}:1:1: does not check out", pack.display())), "{err}");
    std::fs::write(&pack, &good).unwrap();

    // A new workstation: IT makes the store with the installed CLI; the installed app
    // shows the managed pack's playbooks on the home screen, with the managed banner.
    let user = tempfile::Builder::new().prefix("caregiver-install-").tempdir().unwrap();
    let fresh = user.path().join("fresh");
    let cli = Cli::new(&fresh);
    cli.init();
    let list = cli.ok(&["playbook", "list"]);
    assert!(list.contains(MANAGED_TITLE), "{list}");
    let show = cli.ok(&["settings", "show"]);
    assert!(show.contains(&format!("managed-by  {MANAGED_BY}; local changes forbidden")), "{show}");
    let app = App::launch_on(&fresh).await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    shows_the_managed_pack(&app).await;
    app.close().await;

    // An upgrade: a store the previous release made (schema 7) opens with the installed
    // CLI, which brings it to this schema, and then in the installed app.
    let upgraded = user.path().join("upgraded");
    std::fs::create_dir_all(&upgraded).unwrap();
    let store = upgraded.join(STORE_FILE);
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(FIXTURE), &store).unwrap();
    assert_eq!(schema_version(&store), 7);
    let pass = user.path().join("fixture.pass");
    std::fs::write(&pass, FIXTURE_PASS).unwrap();
    let users = ok(installed_cli(user.path())
        .env("CAREGIVER_DATA_DIR", &upgraded)
        .args(["user", "list", "--user", FIXTURE_ADMIN, "--passphrase-file"])
        .arg(&pass));
    assert!(users.contains(FIXTURE_ADMIN) && users.contains("Fixture Nurse"), "{users}");
    assert_eq!(schema_version(&store), schema::CURRENT, "the installed CLI did not migrate");
    let app = App::launch_on(&upgraded).await;
    app.unlock(FIXTURE_ADMIN, FIXTURE_PASS, "home").await;
    shows_the_managed_pack(&app).await;
    app.close().await;

    // Removed: the binaries and the desktop entry go; the users' stores stay, and open;
    // IT's configuration is IT's (no package file), so it stays until IT removes it.
    ok(Command::new("apt-get")
        .args(["remove", "-y", PACKAGE])
        .env("DEBIAN_FRONTEND", "noninteractive"));
    assert!(!installed(), "{PACKAGE} is still installed");
    machine.installed = false;
    for file in [app_bin, cli_bin, entry.as_path()] {
        assert!(!file.exists(), "{} is still there after removal", file.display());
    }
    assert!(managed_toml.is_file());
    for (dir, name, pass) in [(&fresh, ADMIN, ADMIN_PASS), (&upgraded, FIXTURE_ADMIN, FIXTURE_PASS)]
    {
        let store = Store::open(&dir.join(STORE_FILE), harness::clock()).unwrap();
        let session = store.unlock(name, pass.as_bytes()).unwrap();
        assert!(session.list_users().unwrap().iter().any(|u| u.name == name));
    }
    drop(machine);
    assert!(!Path::new(MANAGED_DIR).exists());
}

/// The home screen of an installed app on this machine's managed configuration.
async fn shows_the_managed_pack(app: &App) {
    let (state, _) = app.settled_state("#playbooks-status").await;
    assert_eq!(state, "ready");
    let titles = app.texts("#playbook-list .playbook-title").await;
    assert!(titles.iter().any(|t| t == MANAGED_TITLE), "{titles:?}");
    let footer = app.find("#pack-in-force[data-version]").await;
    assert_eq!(footer.attr("data-version").await.unwrap().as_deref(), Some("11"));
    app.wait_attr("#managed-by", "data-managed", "yes").await;
    let banner = app.find("#managed-by").await.text().await.unwrap();
    assert_eq!(banner, format!("Ward 4 East · Managed by {MANAGED_BY} (settings locked)"));
}

/// What the test changed on the machine, undone even when it fails: the managed
/// configuration removed, and the package if the test installed it.
struct Machine {
    installed: bool,
}

impl Drop for Machine {
    fn drop(&mut self) {
        if self.installed {
            let _ = Command::new("apt-get")
                .args(["remove", "-y", PACKAGE])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .output();
        }
        let _ = std::fs::remove_dir_all(MANAGED_DIR);
    }
}

/// Whether dpkg has the package installed.
fn installed() -> bool {
    let out = Command::new("dpkg-query").args(["-W", "-f=${Status}", PACKAGE]).output().unwrap();
    out.status.success() && text(out.stdout).trim() == "install ok installed"
}

/// The installed CLI with its data folder, home and XDG folders under `dir`: nothing it
/// does reaches the real user's folders.
fn installed_cli(dir: &Path) -> Command {
    let mut cmd = Command::new(harness::caregiver_cli());
    let home = dir.join("home");
    cmd.env("CAREGIVER_DATA_DIR", dir.join("data"))
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env_remove("CAREGIVER_STORE")
        .env_remove("CAREGIVER_USER");
    cmd
}

/// The schema version a store file records (`PRAGMA user_version`, bytes 60 to 63 of the
/// SQLite header), read without opening it through the core.
fn schema_version(store: &Path) -> u32 {
    let wal = store.with_file_name(format!("{STORE_FILE}-wal"));
    assert!(!wal.exists(), "{} is still open", store.display());
    let bytes = std::fs::read(store).unwrap();
    u32::from_be_bytes(bytes[60..64].try_into().unwrap())
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// Runs `cmd`, fails the test unless it succeeds, and returns what it printed.
fn ok(cmd: &mut Command) -> String {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}\n{}",
        out.status,
        text(out.stdout.clone()),
        text(out.stderr.clone())
    );
    text(out.stdout)
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).into_owned()
}
