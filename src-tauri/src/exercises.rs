//! The window's commands for exercises (issue 20): the packages and the exercises run,
//! starting one, the facilitator's scenario clock, decisions, observations, corrective
//! actions, the AAR/IP and the register. As in [`crate::commands`], each calls one method
//! of the application layer.

use caregiver::exercise::actions::{Action, NewAction};
use caregiver::exercise::register::Register;
use caregiver::exercise::run::{Control, Exercise, Rating};
use caregiver::exercise::{Package, PackageSummary};
use serde::Serialize;
use tauri::State;

use crate::commands::{AppState, Reply, Saved, save};

/// The Exercises screen: the packages in force and the exercises run.
#[derive(Serialize)]
pub struct ExercisesView {
    pub packages: Vec<PackageSummary>,
    pub exercises: Vec<Exercise>,
}

#[tauri::command]
pub async fn exercises(state: State<'_, AppState>) -> Reply<ExercisesView> {
    let app = state.app();
    Ok(ExercisesView { packages: app.exercise_packages()?, exercises: app.exercises()? })
}

/// An exercise as the facilitator's screen shows it, with its package (the objectives and
/// critical tasks evaluators rate).
#[derive(Serialize)]
pub struct ExerciseScreen {
    pub exercise: Exercise,
    pub package: Package,
}

#[tauri::command]
pub async fn start_exercise(state: State<'_, AppState>, package: String) -> Reply<Exercise> {
    Ok(state.app().start_exercise(&package)?)
}

#[tauri::command]
pub async fn exercise(state: State<'_, AppState>, id: String) -> Reply<ExerciseScreen> {
    let app = state.app();
    let exercise = app.exercise(&id)?;
    let package = app.exercise_package(&exercise.package)?;
    Ok(ExerciseScreen { exercise, package })
}

/// The facilitator's controls: `next`, `pause`, `resume`, or `speed` with `speed`.
#[tauri::command]
pub async fn control_exercise(
    state: State<'_, AppState>,
    id: String,
    action: String,
    speed: Option<u32>,
) -> Reply<Exercise> {
    let control = match (action.as_str(), speed) {
        ("next", _) => Control::Next,
        ("pause", _) => Control::Pause,
        ("resume", _) => Control::Resume,
        ("speed", Some(s)) => Control::Speed(s),
        _ => {
            return Err(caregiver::Error::Invalid {
                what: "exercise control",
                reason: "use next, pause, resume or speed with a speed".into(),
            }
            .into());
        }
    };
    Ok(state.app().control_exercise(&id, control)?)
}

#[tauri::command]
pub async fn exercise_decision(
    state: State<'_, AppState>,
    id: String,
    text: String,
) -> Reply<Exercise> {
    Ok(state.app().exercise_decision(&id, None, &text)?)
}

#[tauri::command]
pub async fn observe_exercise(
    state: State<'_, AppState>,
    id: String,
    task: String,
    rating: String,
    note: String,
) -> Reply<Exercise> {
    let rating = Rating::of(&rating)?;
    Ok(state.app().observe_exercise(&id, &task, rating, &note)?)
}

#[tauri::command]
pub async fn add_corrective_action(
    state: State<'_, AppState>,
    id: String,
    objective: String,
    text: String,
    owner: String,
    due: String,
    changes: String,
) -> Reply<Action> {
    let due = caregiver::app::training::parse_due(&due)?;
    let new =
        NewAction { objective: &objective, text: &text, owner: &owner, due, changes: &changes };
    Ok(state.app().add_corrective_action(&id, &new)?)
}

#[tauri::command]
pub async fn corrective_actions(state: State<'_, AppState>) -> Reply<Vec<Action>> {
    Ok(state.app().corrective_actions()?)
}

#[tauri::command]
pub async fn close_corrective_action(
    state: State<'_, AppState>,
    action: String,
    note: String,
) -> Reply<Action> {
    Ok(state.app().close_corrective_action(&action, &note)?)
}

/// Saves the AAR/IP in the exports folder.
#[tauri::command]
pub async fn save_exercise_report(state: State<'_, AppState>, id: String) -> Reply<Saved> {
    let app = state.app();
    save(&app, app.exercise_report(&id)?)
}

/// The register of this year and the two before (admins and incident leads).
#[tauri::command]
pub async fn exercise_register(state: State<'_, AppState>) -> Reply<Register> {
    Ok(state.app().exercise_register(None)?)
}
