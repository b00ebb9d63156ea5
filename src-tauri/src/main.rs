//! The desktop shell: a window onto the `caregiver` core. It parses its flags, resolves the
//! data folder, registers the notification plugin and the commands, and runs. Nothing here
//! decides anything about playbooks, incidents or users: that is the core's.

// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod exercises;
mod fleet;
mod forensics;
mod hics;
mod hics_plan;
mod registers;
mod rendering;
mod siem;

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
            rendering::without_gpu_compositing(app);
            // The lock screen's store is opened on a thread of its own while the window is
            // made, so neither waits for the other.
            let handle = app.handle().clone();
            std::thread::spawn(move || handle.state::<commands::AppState>().app().open_ahead());
            app.manage(fleet::Publisher::start(app.handle().clone()));
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
            commands::set_time_zone,
            commands::running_clocks,
            commands::set_clock_reminders,
            commands::set_organisation,
            commands::get_organisation,
            commands::new_emergency_code,
            commands::new_recovery_key,
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
            commands::people,
            commands::assign_position,
            commands::acknowledge_timer,
            commands::reminders,
            commands::ward_incidents,
            commands::observe,
            commands::incident_review,
            commands::export_incident,
            commands::list_contacts,
            commands::incident_calls,
            commands::record_call,
            commands::check_channels,
            commands::list_channels,
            commands::preview_contacts,
            commands::import_contacts,
            commands::export_contacts,
            registers::assets,
            registers::assets_behind,
            registers::preview_assets,
            registers::import_assets,
            registers::export_assets,
            registers::risks,
            registers::risk_heat_map,
            registers::preview_risks,
            registers::import_risks,
            registers::export_risks,
            registers::risk_report,
            registers::assets_behind_chart,
            registers::hicp_questions,
            registers::hicp_assessments,
            registers::record_hicp,
            registers::hicp_gap_to_risk,
            registers::kev_matches,
            registers::import_kev,
            commands::my_bulletins,
            commands::bulletins,
            commands::import_bulletin,
            commands::acknowledge_bulletin,
            commands::policies,
            commands::policy,
            commands::acknowledge_policy,
            commands::print_policy,
            commands::my_training,
            commands::training_module,
            commands::acknowledge_training,
            commands::training_dashboard,
            commands::assign_training,
            commands::import_phishing,
            commands::training_report,
            commands::breach_form,
            commands::assess_breach,
            commands::breach_register,
            commands::breach_entry,
            commands::record_breach,
            commands::export_breaches,
            exercises::exercises,
            exercises::start_exercise,
            exercises::exercise,
            exercises::control_exercise,
            exercises::exercise_decision,
            exercises::observe_exercise,
            exercises::add_corrective_action,
            exercises::corrective_actions,
            exercises::close_corrective_action,
            exercises::save_exercise_report,
            exercises::exercise_register,
            forensics::forensics,
            forensics::forensics_options,
            forensics::add_evidence,
            forensics::transfer_evidence,
            forensics::confirm_evidence,
            forensics::evidence_waiting_for_me,
            forensics::verify_evidence,
            forensics::custody_form,
            forensics::add_indicator,
            forensics::indicators,
            forensics::export_indicators,
            forensics::record_findings,
            forensics::forensics_summary,
            hics::start_period,
            hics::set_objective,
            hics::close_objective,
            hics::general_message,
            hics::incident_form,
            hics_plan::write_briefing,
            hics_plan::assign_work,
            hics_plan::note_hazard,
            hics_plan::set_system_status,
            fleet::fleet_publishing,
            fleet::fleet_status,
            fleet::collect_fleet,
            fleet::accept_workstation_key,
            siem::siem_status,
            siem::set_siem,
            siem::siem_off,
            siem::forward_siem_now,
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

/// Checks the idle clock every second and locks (dropping the keys, publishing to the fleet
/// folder) when it runs out, whether
/// or not the window is looking; the window notices on its next status poll. Every ten
/// seconds it also announces the incidents' reminders that have come due, once each, as
/// desktop notifications (the window shows them too, until someone says they saw them).
fn start_idle_lock(app: tauri::AppHandle) {
    use tauri_plugin_notification::NotificationExt;
    std::thread::spawn(move || {
        for second in 1u64.. {
            std::thread::sleep(std::time::Duration::from_secs(1));
            let state = app.state::<commands::AppState>();
            // The idle lock publishes to the fleet folder as a lock does: built here, before
            // the keys go, and written on the publishing thread.
            let at_lock = state.app().tick_publishing(std::time::Instant::now());
            app.state::<fleet::Publisher>().write(at_lock);
            if second % 10 != 0 {
                continue;
            }
            // Computed while holding the app, so a window command waits meanwhile: the
            // tick is kept cheap rather than moved off the lock (a second session would need
            // the keys twice). `App::reminders` opens the contact tree again only when its
            // record changed and looks only at the contacts called; with 20,000 contacts a
            // tick takes a few milliseconds (`cargo bench --bench input`, target < 20 ms).
            let due = state.app().announce_reminders();
            for r in due {
                let drill = if r.drill { "DRILL: " } else { "" };
                let shown = app
                    .notification()
                    .builder()
                    .title(format!("{drill}{}", r.title))
                    .body(&r.say)
                    .show();
                if let Err(e) = shown {
                    // No notification service (a bare X server): the window's banner remains.
                    eprintln!("caregiver-desktop: a reminder could not be notified: {e}");
                }
            }
        }
    });
}
