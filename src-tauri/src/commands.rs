//! The commands the window may call. Each parses its arguments, calls one method of the
//! application layer ([`App`]) and maps the core's error to `{code, message}`
//! ([`ErrorReport`]). A command that grows past a few lines is a sign that a rule belongs
//! in the core instead.
//!
//! Every command here must also be listed in `build.rs` and granted in
//! `capabilities/default.json`. Commands are `async` so that key derivation (a fraction of
//! a second) runs off the window's thread and the window can show its progress.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use caregiver::app::admin::NewUser;
use caregiver::app::breaches::{RegisterView, Selection};
use caregiver::app::bulletins::BulletinView;
use caregiver::app::calls::CallsView;
use caregiver::app::contacts::ContactFile;
use caregiver::app::deadlines::RunningClock;
use caregiver::app::incidents::{IncidentView, Reminder, ReviewView, WardIncidentView};
use caregiver::app::library::PlaybookScreen;
use caregiver::app::policies::{PolicyPage, PolicySummary};
use caregiver::app::records::Export;
use caregiver::app::session::shown_once;
use caregiver::app::training::{ModuleView, ResultsFile};
use caregiver::app::{App, LockScreen, Status, SystemClock};
use caregiver::contacts::calltree::WardCallList;
use caregiver::incident::clocks::Organisation;
use caregiver::playbook::PlaybookSummary;
use caregiver::playbook::pack::PackInfo;
use caregiver::playbook::view::Hit;
use caregiver::policy::PolicyAck;
use caregiver::store::{Role, Settings, UserInfo};
use caregiver::training::records::Item;
use caregiver::{AppInfo, ErrorReport};
use serde::Serialize;
use tauri::State;
use zeroize::Zeroizing;

use crate::fleet::Publisher;

pub(crate) type Reply<T> = Result<T, ErrorReport>;

/// What the app holds while it runs.
#[derive(Debug)]
pub struct AppState {
    data_dir: PathBuf,
    app: Mutex<App>,
}

impl AppState {
    pub fn open(explicit_data_dir: Option<&Path>) -> caregiver::Result<Self> {
        let data_dir = caregiver::paths::resolve_data_dir(explicit_data_dir)?;
        caregiver::paths::ensure_data_dir(&data_dir)?;
        let store = caregiver::store::resolve_store_path(None, Some(&data_dir))?;
        let app = App::new(store, SystemClock::shared(), Instant::now());
        Ok(Self { data_dir, app: Mutex::new(app) })
    }

    /// The app. A panic elsewhere cannot leave it half-changed (every change is one
    /// assignment), so a poisoned lock is still safe to use.
    pub fn app(&self) -> MutexGuard<'_, App> {
        self.app.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Saves an export in the exports folder: the managed configuration's, else
/// `CAREGIVER_EXPORT_DIR`, else Documents.
pub(crate) fn save(app: &App, export: Export) -> Reply<Saved> {
    let dir = app.exports_dir();
    let path = caregiver::paths::save_export_in(dir.as_deref(), &export.file_name, &export.bytes)?;
    Ok(Saved { path: path.display().to_string() })
}

/// A secret shown once (recovery key, emergency code): wiped from memory when dropped,
/// after it is serialized for the window. No `Debug`: it is never printed.
#[derive(Serialize)]
pub struct ShownOnce {
    pub secret: Zeroizing<String>,
}

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Reply<AppInfo> {
    Ok(caregiver::app_info(&state.data_dir))
}

#[tauri::command]
pub async fn session_status(state: State<'_, AppState>) -> Reply<Status> {
    Ok(state.app().status(Instant::now()))
}

#[tauri::command]
pub async fn touch(state: State<'_, AppState>) -> Reply<()> {
    state.app().touch(Instant::now());
    Ok(())
}

#[tauri::command]
pub async fn setup(
    state: State<'_, AppState>,
    admin: String,
    passphrase: String,
) -> Reply<ShownOnce> {
    let passphrase = Zeroizing::new(passphrase);
    let key = state.app().setup(&admin, passphrase.as_bytes(), Instant::now())?;
    Ok(ShownOnce { secret: shown_once(key.as_str()) })
}

#[tauri::command]
pub async fn lock_screen(state: State<'_, AppState>) -> Reply<LockScreen> {
    Ok(state.app().lock_screen()?)
}

/// Unlocks, then publishes to the fleet folder on the publishing thread.
#[tauri::command]
pub async fn unlock(
    state: State<'_, AppState>,
    publisher: State<'_, Publisher>,
    name: String,
    passphrase: String,
) -> Reply<Status> {
    let passphrase = Zeroizing::new(passphrase);
    let status = state.app().unlock(&name, passphrase.as_bytes(), Instant::now())?;
    publisher.publish();
    Ok(status)
}

#[tauri::command]
pub async fn unlock_emergency(state: State<'_, AppState>, code: String) -> Reply<Status> {
    let code = Zeroizing::new(code);
    Ok(state.app().unlock_emergency(code.as_bytes(), Instant::now())?)
}

/// Locks; what the session logged is published to the fleet folder afterwards, on the
/// publishing thread.
#[tauri::command]
pub async fn lock(state: State<'_, AppState>, publisher: State<'_, Publisher>) -> Reply<Status> {
    let mut desk = state.app();
    let at_lock = desk.lock_publishing();
    let status = desk.status(Instant::now());
    drop(desk);
    publisher.write(at_lock);
    Ok(status)
}

#[tauri::command]
pub async fn list_playbooks(state: State<'_, AppState>) -> Reply<Vec<PlaybookSummary>> {
    Ok(state.app().playbooks()?)
}

#[tauri::command]
pub async fn ward_call_list(state: State<'_, AppState>) -> Reply<WardCallList> {
    Ok(state.app().ward_call_list()?)
}

#[tauri::command]
pub async fn change_passphrase(state: State<'_, AppState>, passphrase: String) -> Reply<()> {
    let passphrase = Zeroizing::new(passphrase);
    Ok(state.app().change_own_passphrase(passphrase.as_bytes())?)
}

#[tauri::command]
pub async fn list_users(state: State<'_, AppState>) -> Reply<Vec<UserInfo>> {
    Ok(state.app().users()?)
}

#[tauri::command]
pub async fn add_user(
    state: State<'_, AppState>,
    name: String,
    role: Role,
    passphrase: String,
    department: Option<String>,
) -> Reply<()> {
    let passphrase = Zeroizing::new(passphrase);
    let first_passphrase = passphrase.as_bytes();
    let department = department.as_deref();
    Ok(state.app().add_user(NewUser { name: &name, role, first_passphrase, department })?)
}

#[tauri::command]
pub async fn remove_user(state: State<'_, AppState>, name: String) -> Reply<()> {
    Ok(state.app().remove_user(&name)?)
}

#[tauri::command]
pub async fn reset_passphrase(
    state: State<'_, AppState>,
    name: String,
    passphrase: String,
) -> Reply<()> {
    let passphrase = Zeroizing::new(passphrase);
    Ok(state.app().set_passphrase(&name, passphrase.as_bytes())?)
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Reply<Settings> {
    Ok(state.app().settings()?)
}

#[tauri::command]
pub async fn set_idle_lock(state: State<'_, AppState>, minutes: u32) -> Reply<()> {
    Ok(state.app().set_idle_lock_minutes(minutes)?)
}

/// Every running legal clock of the open incidents, the most urgent first.
#[tauri::command]
pub async fn running_clocks(state: State<'_, AppState>) -> Reply<Vec<RunningClock>> {
    Ok(state.app().running_clocks()?)
}

/// Sets the clock reminders' lead times from words (`7d 1d 4h`); returns them in minutes.
#[tauri::command]
pub async fn set_clock_reminders(state: State<'_, AppState>, lead: String) -> Reply<Vec<u32>> {
    Ok(state.app().set_clock_reminders(&lead)?)
}

/// Sets the organisation's profile the clock rules look at (admins); returns it as the
/// clocks now read it.
#[tauri::command]
pub async fn set_organisation(
    state: State<'_, AppState>,
    states: Vec<String>,
    traits: Vec<String>,
) -> Reply<Organisation> {
    Ok(state.app().set_organisation(&states, &traits)?)
}

/// The organisation's profile as the clocks read it.
#[tauri::command]
pub async fn get_organisation(state: State<'_, AppState>) -> Reply<Organisation> {
    Ok(state.app().organisation()?)
}

/// Sets the workstation's time zone (an IANA name), or the system's when `zone` is none;
/// returns the zone times now read in.
#[tauri::command]
pub async fn set_time_zone(state: State<'_, AppState>, zone: Option<String>) -> Reply<String> {
    let mut app = state.app();
    app.set_time_zone(zone.as_deref())?;
    Ok(app.zone().name().to_owned())
}

#[tauri::command]
pub async fn new_emergency_code(state: State<'_, AppState>) -> Reply<ShownOnce> {
    Ok(ShownOnce { secret: state.app().new_emergency_code()? })
}

#[tauri::command]
pub async fn new_recovery_key(state: State<'_, AppState>) -> Reply<ShownOnce> {
    let key = state.app().new_recovery_key()?;
    Ok(ShownOnce { secret: shown_once(key.as_str()) })
}

#[tauri::command]
pub async fn pack_status(state: State<'_, AppState>) -> Reply<Option<PackInfo>> {
    Ok(state.app().pack_info()?)
}

#[tauri::command]
pub async fn search_playbooks(state: State<'_, AppState>, query: String) -> Reply<Vec<Hit>> {
    Ok(state.app().search_playbooks(&query)?)
}

#[tauri::command]
pub async fn open_playbook(state: State<'_, AppState>, id: String) -> Reply<PlaybookScreen> {
    Ok(state.app().playbook_screen(&id)?)
}

#[tauri::command]
pub async fn playbook_binder(state: State<'_, AppState>) -> Reply<Vec<PlaybookScreen>> {
    Ok(state.app().binder()?)
}

#[tauri::command]
pub async fn start_incident(
    state: State<'_, AppState>,
    playbook: String,
    drill: bool,
    discovered: Option<String>,
    lead: Option<String>,
) -> Reply<IncidentView> {
    let app = state.app();
    let discovered =
        caregiver::app::incidents::parse_discovered(discovered.as_deref(), &app.zone())?;
    Ok(app.start_incident(&playbook, drill, discovered, lead)?)
}

#[tauri::command]
pub async fn people(state: State<'_, AppState>) -> Reply<Vec<String>> {
    Ok(state.app().people()?)
}

#[tauri::command]
pub async fn assign_position(
    state: State<'_, AppState>,
    id: String,
    position: String,
    person: String,
) -> Reply<IncidentView> {
    Ok(state.app().assign_position(&id, &position, &person)?)
}

#[tauri::command]
pub async fn acknowledge_timer(
    state: State<'_, AppState>,
    id: String,
    step: String,
) -> Reply<IncidentView> {
    Ok(state.app().acknowledge_timer(&id, &step)?)
}

#[tauri::command]
pub async fn reminders(state: State<'_, AppState>) -> Reply<Vec<Reminder>> {
    Ok(state.app().reminders())
}

#[tauri::command]
pub async fn ward_incidents(state: State<'_, AppState>) -> Reply<Vec<WardIncidentView>> {
    Ok(state.app().ward_incidents()?)
}

#[tauri::command]
pub async fn observe(state: State<'_, AppState>, id: String, text: String) -> Reply<()> {
    Ok(state.app().observe(&id, &text)?)
}

#[tauri::command]
pub async fn incident_review(state: State<'_, AppState>, id: String) -> Reply<ReviewView> {
    Ok(state.app().review_view(&id)?)
}

/// Where an export was saved.
#[derive(Debug, Serialize)]
pub struct Saved {
    pub path: String,
}

#[tauri::command]
pub async fn export_incident(
    state: State<'_, AppState>,
    id: String,
    format: String,
) -> Reply<Saved> {
    let format: caregiver::incident::export::Format = format.parse()?;
    let app = state.app();
    save(&app, app.export_incident(&id, format)?)
}

#[tauri::command]
pub async fn incident_view(state: State<'_, AppState>, id: String) -> Reply<IncidentView> {
    Ok(state.app().incident(&id)?)
}

#[tauri::command]
pub async fn incident_step(
    state: State<'_, AppState>,
    id: String,
    step: String,
    action: String,
    value: Option<String>,
) -> Reply<IncidentView> {
    let action = caregiver::incident::Action::parse(&action, value)?;
    Ok(state.app().incident_step(&id, &step, action)?)
}

#[tauri::command]
pub async fn incident_note(
    state: State<'_, AppState>,
    id: String,
    text: String,
) -> Reply<IncidentView> {
    Ok(state.app().incident_note(&id, &text)?.1)
}

#[tauri::command]
pub async fn close_incident(state: State<'_, AppState>, id: String) -> Reply<IncidentView> {
    Ok(state.app().close_incident(&id)?)
}

#[tauri::command]
pub async fn open_incidents(state: State<'_, AppState>) -> Reply<Vec<IncidentView>> {
    Ok(state.app().open_incidents()?)
}

#[tauri::command]
pub async fn list_contacts(state: State<'_, AppState>) -> Reply<Vec<caregiver::contacts::Contact>> {
    Ok(state.app().contacts()?)
}

#[tauri::command]
pub async fn incident_calls(state: State<'_, AppState>, id: String) -> Reply<CallsView> {
    Ok(state.app().calls(&id)?)
}

#[tauri::command]
pub async fn record_call(
    state: State<'_, AppState>,
    id: String,
    contact: String,
    outcome: String,
) -> Reply<CallsView> {
    let outcome: caregiver::contacts::calltree::Outcome = outcome.parse()?;
    Ok(state.app().call(&id, &contact, outcome)?)
}

/// Warnings for a note that would send patient information over an unsecure channel.
#[tauri::command]
pub async fn check_channels(text: String) -> Reply<Vec<caregiver::contacts::channels::Warning>> {
    Ok(caregiver::contacts::channels::check(&text))
}

/// The channels a contact may be approved for, and which are secure for patient information.
#[tauri::command]
pub async fn list_channels() -> Reply<Vec<caregiver::contacts::Channel>> {
    Ok(caregiver::contacts::channels())
}

#[tauri::command]
pub async fn preview_contacts(
    state: State<'_, AppState>,
    bytes: Vec<u8>,
    file_name: String,
) -> Reply<caregiver::contacts::Preview> {
    Ok(state.app().preview_contacts(ContactFile { bytes: &bytes, name: &file_name })?)
}

#[tauri::command]
pub async fn import_contacts(
    state: State<'_, AppState>,
    bytes: Vec<u8>,
    file_name: String,
    skip_bad_rows: bool,
) -> Reply<caregiver::contacts::Preview> {
    let file = ContactFile { bytes: &bytes, name: &file_name };
    Ok(state.app().import_contacts(file, skip_bad_rows)?)
}

#[tauri::command]
pub async fn export_contacts(state: State<'_, AppState>, format: String) -> Reply<Saved> {
    let format: caregiver::contacts::Format = format.parse()?;
    let app = state.app();
    save(&app, app.export_contacts(format)?)
}

/// The threat bulletins the signed-in person is still to read (the banner).
#[tauri::command]
pub async fn my_bulletins(state: State<'_, AppState>) -> Reply<Vec<BulletinView>> {
    Ok(state.app().my_bulletins()?)
}

/// Every bulletin on this workstation, with the assets each affects for those who read the
/// register.
#[tauri::command]
pub async fn bulletins(state: State<'_, AppState>) -> Reply<Vec<BulletinView>> {
    Ok(state.app().bulletins()?)
}

/// Imports a signed bulletin (admins).
#[tauri::command]
pub async fn import_bulletin(state: State<'_, AppState>, text: String) -> Reply<BulletinView> {
    Ok(state.app().import_bulletin(&text)?)
}

/// The signed-in person has read a bulletin addressed to them (the read receipt).
#[tauri::command]
pub async fn acknowledge_bulletin(state: State<'_, AppState>, id: String) -> Reply<BulletinView> {
    Ok(state.app().acknowledge_bulletin(&id)?)
}

/// The policies in force, with the signed-in person's standing on those for them.
#[tauri::command]
pub async fn policies(state: State<'_, AppState>) -> Reply<Vec<PolicySummary>> {
    Ok(state.app().policies()?)
}

/// One policy to read (the version in force, or an earlier one kept).
#[tauri::command]
pub async fn policy(
    state: State<'_, AppState>,
    id: String,
    version: Option<u32>,
) -> Reply<PolicyPage> {
    Ok(state.app().policy(&id, version)?)
}

/// The signed-in person acknowledges the version in force, under their own unlock.
#[tauri::command]
pub async fn acknowledge_policy(state: State<'_, AppState>, id: String) -> Reply<PolicyAck> {
    Ok(state.app().acknowledge_policy(&id)?)
}

/// A policy saved to print, its version and date on every page.
#[tauri::command]
pub async fn print_policy(
    state: State<'_, AppState>,
    id: String,
    version: Option<u32>,
) -> Reply<Saved> {
    let app = state.app();
    save(&app, app.print_policy(&id, version)?)
}

#[tauri::command]
pub async fn my_training(state: State<'_, AppState>) -> Reply<Vec<Item>> {
    Ok(state.app().my_training()?)
}

#[tauri::command]
pub async fn training_module(state: State<'_, AppState>, id: String) -> Reply<ModuleView> {
    Ok(state.app().training_module(&id)?)
}

#[tauri::command]
pub async fn acknowledge_training(
    state: State<'_, AppState>,
    id: String,
    answers: Option<Vec<usize>>,
) -> Reply<Item> {
    Ok(state.app().acknowledge_training(&id, answers.as_deref())?.1)
}

#[tauri::command]
pub async fn training_dashboard(
    state: State<'_, AppState>,
) -> Reply<caregiver::training::report::Dashboard> {
    Ok(state.app().training_dashboard()?)
}

#[tauri::command]
pub async fn assign_training(
    state: State<'_, AppState>,
    module: String,
    target: caregiver::training::records::Target,
    due: String,
) -> Reply<()> {
    let due = caregiver::app::training::parse_due(&due)?;
    Ok(state.app().assign_training(&module, target, due)?)
}

#[tauri::command]
pub async fn import_phishing(
    state: State<'_, AppState>,
    bytes: Vec<u8>,
    name: String,
) -> Reply<caregiver::training::records::Campaign> {
    Ok(state.app().import_phishing(ResultsFile { bytes: &bytes, campaign: &name })?)
}

#[tauri::command]
pub async fn training_report(state: State<'_, AppState>, format: String) -> Reply<Saved> {
    let app = state.app();
    save(&app, app.training_report(format.parse()?)?)
}

/// The breach risk assessment's parts in the regulation's words, and their source.
#[tauri::command]
pub async fn breach_form() -> Reply<caregiver::breach::assessment::FormText> {
    Ok(caregiver::breach::assessment::form_text())
}

/// The privacy officer signs the breach risk assessment; its result answers the decisions.
#[tauri::command]
pub async fn assess_breach(
    state: State<'_, AppState>,
    id: String,
    form: caregiver::breach::AssessmentForm,
) -> Reply<IncidentView> {
    Ok(state.app().assess_breach(&id, form)?)
}

#[tauri::command]
pub async fn breach_register(state: State<'_, AppState>) -> Reply<RegisterView> {
    Ok(state.app().breach_register()?)
}

#[tauri::command]
pub async fn breach_entry(
    state: State<'_, AppState>,
    id: String,
) -> Reply<caregiver::breach::BreachEntry> {
    Ok(state.app().breach(&id)?)
}

#[tauri::command]
pub async fn record_breach(
    state: State<'_, AppState>,
    id: String,
    change: caregiver::breach::BreachChange,
) -> Reply<caregiver::breach::BreachEntry> {
    Ok(state.app().record_breach(&id, &change)?)
}

/// Where a register export was saved, how many breaches it holds, and those without a
/// number affected.
#[derive(Debug, Serialize)]
pub struct SavedBreaches {
    pub path: String,
    pub rows: usize,
    pub unknown_count: Vec<String>,
}

/// Saves the register as CSV: a year's submission (`year`), or one incident's breach.
#[tauri::command]
pub async fn export_breaches(
    state: State<'_, AppState>,
    year: Option<i32>,
    id: Option<String>,
) -> Reply<SavedBreaches> {
    let selection = match (year, id) {
        (Some(year), _) => Selection::Year(year),
        (None, Some(id)) => Selection::Incident(id),
        (None, None) => {
            let reason = "say a year or an incident".to_owned();
            return Err(caregiver::Error::Invalid { what: "export", reason }.into());
        }
    };
    let app = state.app();
    let done = app.export_breaches(&selection)?;
    let Saved { path } = save(&app, done.export)?;
    Ok(SavedBreaches { path, rows: done.rows, unknown_count: done.unknown_count })
}
