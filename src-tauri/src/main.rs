//! The desktop shell: a window onto the `caregiver` core. It parses its flags, resolves the
//! data folder, registers the notification plugin and the commands, and runs. Nothing here
//! decides anything about playbooks, incidents or users: that is the core's.

// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use tauri::Manager;

/// Caregiver Playbook desktop app.
#[derive(Debug, Parser)]
#[command(name = "caregiver-desktop", version, about)]
struct Args {
    /// Where the app keeps its data (default: the platform's app-data folder).
    #[arg(long, env = caregiver::paths::DATA_DIR_ENV, value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let state = match commands::AppState::open(args.data_dir.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("caregiver-desktop: error[{}]: {e}", e.code());
            return ExitCode::FAILURE;
        }
    };
    // generate_context!() expands to code that may call process::exit; that is Tauri's.
    #[allow(clippy::disallowed_methods)]
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .manage(state)
        .setup(|app| {
            start_idle_lock(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::session_status,
            commands::touch,
            commands::setup,
            commands::lock_screen,
            commands::unlock,
            commands::unlock_emergency,
            commands::lock,
            commands::list_playbooks,
            commands::ward_call_list,
            commands::change_passphrase,
            commands::list_users,
            commands::add_user,
            commands::remove_user,
            commands::reset_passphrase,
            commands::get_settings,
            commands::set_idle_lock,
            commands::new_emergency_code,
            commands::pack_status,
            commands::search_playbooks,
            commands::open_playbook,
            commands::playbook_binder,
            commands::start_incident,
            commands::incident_view,
            commands::incident_step,
            commands::incident_note,
            commands::close_incident,
            commands::open_incidents,
        ])
        .run(tauri::generate_context!());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("caregiver-desktop: error[tauri]: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Checks the idle clock every second and locks (dropping the keys) when it runs out, whether
/// or not the window is looking. The window notices on its next status poll.
fn start_idle_lock(app: tauri::AppHandle) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
            app.state::<commands::AppState>().desk().tick(std::time::Instant::now());
        }
    });
}
