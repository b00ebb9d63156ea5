//! The window's commands for an incident's operational periods, objectives and general
//! messages (HICS 213), and its HICS forms saved in the exports folder (issue 21). As in
//! [`crate::commands`], each calls one method of the application layer.

use caregiver::app::incidents::IncidentView;
use caregiver::incident::export::Format;
use caregiver::incident::hics::Request;
use caregiver::incident::periods::Message;
use serde::Serialize;
use tauri::State;

use crate::commands::{AppState, Reply, Saved, save};

/// Starts the incident's next operational period, `length_hours` long as typed (the
/// current one's when empty).
#[tauri::command]
pub async fn start_period(
    state: State<'_, AppState>,
    id: String,
    length_hours: String,
) -> Reply<IncidentView> {
    let length = match length_hours.trim() {
        "" => None,
        typed => Some(typed.parse::<u32>().map_err(|_| caregiver::Error::Invalid {
            what: "period length",
            reason: "must be 1 to 168 hours".into(),
        })?),
    };
    Ok(state.app().start_period(&id, length)?)
}

#[tauri::command]
pub async fn set_objective(
    state: State<'_, AppState>,
    id: String,
    text: String,
) -> Reply<IncidentView> {
    Ok(state.app().set_objective(&id, &text)?)
}

#[tauri::command]
pub async fn close_objective(
    state: State<'_, AppState>,
    id: String,
    number: u32,
) -> Reply<IncidentView> {
    Ok(state.app().close_objective(&id, number)?)
}

/// A general message written: its log entry, and the incident.
#[derive(Debug, Serialize)]
pub struct Written {
    pub seq: u64,
    pub view: IncidentView,
}

#[tauri::command]
pub async fn general_message(
    state: State<'_, AppState>,
    id: String,
    to: String,
    subject: String,
    text: String,
    priority: String,
) -> Reply<Written> {
    let message = Message { to, subject, text, priority: priority.parse()? };
    let (seq, view) = state.app().general_message(&id, message)?;
    Ok(Written { seq, view })
}

/// Saves one HICS form of the incident (`form`: 201 to 251, or IAP) as HTML, for a
/// period (the current one when `None`) and, for the 214, a position.
#[tauri::command]
pub async fn incident_form(
    state: State<'_, AppState>,
    id: String,
    form: String,
    period: Option<u32>,
    position: Option<String>,
) -> Reply<Saved> {
    let request = Request { form: form.parse()?, format: Format::Html, period, position };
    let app = state.app();
    save(&app, app.incident_form(&id, &request)?)
}
