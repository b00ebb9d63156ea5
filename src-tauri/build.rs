//! Registers the app's commands so Tauri generates an `allow-<command>` permission for
//! each; `capabilities/default.json` grants them. A command not listed here cannot be
//! called from the window.

/// Every `#[tauri::command]` in `src/commands.rs`, in snake_case.
const COMMANDS: &[&str] = &[
    "app_info",
    "session_status",
    "touch",
    "setup",
    "lock_screen",
    "unlock",
    "unlock_emergency",
    "lock",
    "list_playbooks",
    "ward_call_list",
    "change_passphrase",
    "list_users",
    "add_user",
    "remove_user",
    "reset_passphrase",
    "get_settings",
    "set_idle_lock",
    "set_time_zone",
    "running_clocks",
    "set_clock_reminders",
    "set_organisation",
    "get_organisation",
    "new_emergency_code",
    "new_recovery_key",
    "pack_status",
    "search_playbooks",
    "open_playbook",
    "playbook_binder",
    "start_incident",
    "incident_view",
    "incident_step",
    "incident_note",
    "close_incident",
    "open_incidents",
    "people",
    "assign_position",
    "acknowledge_timer",
    "reminders",
    "ward_incidents",
    "observe",
    "incident_review",
    "export_incident",
    "list_contacts",
    "incident_calls",
    "record_call",
    "check_channels",
    "list_channels",
    "preview_contacts",
    "import_contacts",
    "export_contacts",
    "my_training",
    "training_module",
    "acknowledge_training",
    "training_dashboard",
    "assign_training",
    "import_phishing",
    "training_report",
];

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes)?;
    Ok(())
}
