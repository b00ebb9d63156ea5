//! The window's commands for what people write for the HICS 201, 204, 215A and 251 (issue
//! 21): the briefing, a position's work assignment, a hazard and its mitigation, a facility
//! system's status. As in [`crate::commands`], each calls one method of the application
//! layer and replies with the incident.

use caregiver::app::incidents::IncidentView;
use caregiver::incident::hics::BriefingPart;
use tauri::State;

use crate::commands::{AppState, Reply};

/// Writes the briefing's parts typed (an empty one is left as it stands), all or none.
#[tauri::command]
pub async fn write_briefing(
    state: State<'_, AppState>,
    id: String,
    summary: String,
    safety: String,
    action: String,
) -> Reply<IncidentView> {
    let typed = [
        (BriefingPart::Summary, summary),
        (BriefingPart::Safety, safety),
        (BriefingPart::Action, action),
    ];
    let parts: Vec<(BriefingPart, &str)> =
        typed.iter().filter(|(_, t)| !t.trim().is_empty()).map(|(p, t)| (*p, t.as_str())).collect();
    Ok(state.app().write_briefing(&id, &parts)?)
}

#[tauri::command]
pub async fn assign_work(
    state: State<'_, AppState>,
    id: String,
    position: String,
    text: String,
) -> Reply<IncidentView> {
    Ok(state.app().assign_work(&id, &position, &text)?)
}

#[tauri::command]
pub async fn note_hazard(
    state: State<'_, AppState>,
    id: String,
    hazard: String,
    mitigation: String,
) -> Reply<IncidentView> {
    Ok(state.app().note_hazard(&id, &hazard, &mitigation)?)
}

/// Sets a system's status (`up`, `down` or `partial`), with an optional note.
#[tauri::command]
pub async fn set_system_status(
    state: State<'_, AppState>,
    id: String,
    system: String,
    status: String,
    note: String,
) -> Reply<IncidentView> {
    let note = Some(note.as_str()).filter(|n| !n.trim().is_empty());
    Ok(state.app().set_system_status(&id, &system, status.parse()?, note)?)
}
