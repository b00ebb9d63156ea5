//! The fleet folder in the window (issue 22, `docs/fleet.md`): this workstation publishes
//! at unlock, at lock (the idle lock too) and every [`PUBLISH_EVERY`] while someone is
//! signed in; the footer says when it last did; an admin collects from the Fleet screen.
//!
//! Publishing runs on a thread of its own, one publish at a time, and holds the app only
//! to build a publication and to end it (`App::publish_fleet_off_lock`): the files are
//! written with nothing of the app held, so a share that hangs (SMB waits tens of seconds)
//! delays no window command and no tick of the idle lock. A share not there only means
//! "later". At lock, the publication is built before the lock drops the keys
//! (`App::lock_publishing`, `App::tick_publishing`) and written here afterwards. The same
//! thread, at unlock and every period, first picks up a newer signed pack from the
//! folder's `packs/` (`App::pick_up_fleet_pack_off_lock`) and, after publishing, forwards
//! the log's new entries to the SIEM when one is set (`App::forward_siem_off_lock`): each
//! reads the share or the network with nothing of the app held.
//!
//! Collecting reads and imports every workstation's segments with the admin's session,
//! so it holds the app while it runs; it runs on a blocking thread, off the window's.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Instant;

use caregiver::app::App;
use caregiver::app::fleet::{PUBLISH_EVERY, Prepared, Publishing};
use caregiver::fleet::collect::Report;
use tauri::{AppHandle, Manager, State};

use crate::commands::{AppState, Reply};

/// Workstations not published for this many days are named (as the CLI's default).
const STALE_DAYS: u32 = 7;

/// What the publishing thread is asked to do.
enum Job {
    /// Publish now (at unlock), and again every [`PUBLISH_EVERY`] from now.
    Publish,
    /// Write a publication built at lock, and end it.
    Write(Box<Prepared>),
}

/// The way to the publishing thread.
pub struct Publisher(Sender<Job>);

impl Publisher {
    /// Starts the publishing thread: it publishes every [`PUBLISH_EVERY`] (nothing while
    /// locked) and when asked.
    pub fn start(app: AppHandle) -> Self {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut next = Instant::now() + PUBLISH_EVERY;
            loop {
                let job = match rx.recv_timeout(next.saturating_duration_since(Instant::now())) {
                    Ok(job) => job,
                    Err(RecvTimeoutError::Timeout) => Job::Publish,
                    Err(RecvTimeoutError::Disconnected) => return,
                };
                let state = app.state::<AppState>();
                // Failures are the core's to remember and the footer's to show.
                match job {
                    Job::Publish => {
                        next = Instant::now() + PUBLISH_EVERY;
                        // A newer pack from the folder first, so the status names it.
                        let _ = App::pick_up_fleet_pack_off_lock(|| state.app());
                        let _ = App::publish_fleet_off_lock(|| state.app());
                        let _ = App::forward_siem_off_lock(|| state.app());
                    }
                    Job::Write(p) => {
                        let written = p.write();
                        let _ = state.app().finish_fleet_publish(*p, written);
                    }
                }
            }
        });
        Self(tx)
    }

    /// Publishes soon, on the publishing thread (at unlock).
    pub fn publish(&self) {
        // The thread is gone only when the app is closing.
        let _ = self.0.send(Job::Publish);
    }

    /// Writes a publication built at lock, on the publishing thread.
    pub fn write(&self, p: Option<Prepared>) {
        if let Some(p) = p {
            let _ = self.0.send(Job::Write(Box::new(p)));
        }
    }
}

/// What the footer says of publishing: the folder, when this workstation last published,
/// why the last try failed if it did.
#[tauri::command]
pub async fn fleet_publishing(state: State<'_, AppState>) -> Reply<Publishing> {
    Ok(state.app().fleet_publishing()?)
}

/// The workstations of the fleet folder in force, read only (admins).
#[tauri::command]
pub async fn fleet_status(app: AppHandle) -> Reply<Report> {
    blocking(app, |a| a.fleet_status(None, STALE_DAYS)).await
}

/// Collects the fleet folder in force now (admins): per workstation, what was imported,
/// what was refused and why, which are quiet.
#[tauri::command]
pub async fn collect_fleet(app: AppHandle) -> Reply<Report> {
    blocking(app, |a| a.collect_fleet_in_force(STALE_DAYS)).await
}

/// Accepts the changed key a workstation showed at the last collection (admins).
#[tauri::command]
pub async fn accept_workstation_key(
    state: State<'_, AppState>,
    workstation: String,
) -> Reply<String> {
    Ok(state.app().accept_workstation_key(&workstation)?)
}

/// Runs `work` on the app on a blocking thread (it reads the fleet folder).
async fn blocking<T: Send + 'static>(
    app: AppHandle,
    work: impl FnOnce(&App) -> caregiver::Result<T> + Send + 'static,
) -> Reply<T> {
    let done = tauri::async_runtime::spawn_blocking(move || work(&app.state::<AppState>().app()))
        .await
        .map_err(|e| caregiver::Error::Invalid { what: "fleet folder", reason: e.to_string() })?;
    Ok(done?)
}
