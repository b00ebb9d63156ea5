//! The window's commands for the registers admins keep and incident leads read: the asset
//! register (its list, the tiers' standing and chart, import and export), the risk register
//! (its list, heat map, report, import and export) and the HICP self-assessment (the
//! questions for a size, recording one, every one scored with its charts, a gap made a
//! risk) and CISA's KEV catalogue (imported, matched against the assets). As in [`crate::commands`], each calls one method of the application layer.

use std::collections::BTreeMap;

use caregiver::app::assets::{AssetPreview, TierStanding};
use caregiver::app::hicp::{AssessmentsView, QuestionsView};
use caregiver::app::kev::KevView;
use caregiver::app::risk::RiskPreview;
use caregiver::assets::{AssetView, Filter};
use caregiver::hicp::{Given, Scored, Size};
use caregiver::risk::RiskView;
use tauri::State;

use crate::commands::{AppState, Reply, Saved, save};

/// The asset register in restore order (admins and incident leads): only the overdue or
/// unsupported assets when `overdue`, only one tier when `tier`.
#[tauri::command]
pub async fn assets(
    state: State<'_, AppState>,
    overdue: bool,
    tier: Option<u8>,
) -> Reply<Vec<AssetView>> {
    Ok(state.app().assets(Filter { overdue, tier })?)
}

/// How far behind the fleet is, by tier (admins and incident leads).
#[tauri::command]
pub async fn assets_behind(state: State<'_, AppState>) -> Reply<Vec<TierStanding>> {
    Ok(state.app().assets_behind()?)
}

#[tauri::command]
pub async fn preview_assets(state: State<'_, AppState>, bytes: Vec<u8>) -> Reply<AssetPreview> {
    Ok(state.app().preview_assets(&bytes)?)
}

#[tauri::command]
pub async fn import_assets(
    state: State<'_, AppState>,
    bytes: Vec<u8>,
    skip_bad_rows: bool,
) -> Reply<AssetPreview> {
    Ok(state.app().import_assets(&bytes, skip_bad_rows)?)
}

#[tauri::command]
pub async fn export_assets(state: State<'_, AppState>) -> Reply<Saved> {
    let app = state.app();
    save(&app, app.export_assets()?)
}

/// The risk register in priority order, with each risk's flags (admins and incident leads).
#[tauri::command]
pub async fn risks(state: State<'_, AppState>) -> Reply<Vec<RiskView>> {
    Ok(state.app().risks()?)
}

/// The heat map of the open risks: SVG drawn by the core (admins and incident leads).
#[tauri::command]
pub async fn risk_heat_map(state: State<'_, AppState>) -> Reply<String> {
    Ok(state.app().risk_heat_map()?)
}

#[tauri::command]
pub async fn preview_risks(state: State<'_, AppState>, bytes: Vec<u8>) -> Reply<RiskPreview> {
    Ok(state.app().preview_risks(&bytes)?)
}

#[tauri::command]
pub async fn import_risks(
    state: State<'_, AppState>,
    bytes: Vec<u8>,
    skip_bad_rows: bool,
) -> Reply<RiskPreview> {
    Ok(state.app().import_risks(&bytes, skip_bad_rows)?)
}

#[tauri::command]
pub async fn export_risks(state: State<'_, AppState>) -> Reply<Saved> {
    let app = state.app();
    save(&app, app.export_risks()?)
}

/// The printable risk report (`html` or `csv`), saved (admins and incident leads).
#[tauri::command]
pub async fn risk_report(state: State<'_, AppState>, format: String) -> Reply<Saved> {
    let app = state.app();
    save(&app, app.risk_report(format.parse()?)?)
}

/// How far behind the fleet is, by tier, as a chart the core draws (SVG).
#[tauri::command]
pub async fn assets_behind_chart(state: State<'_, AppState>) -> Reply<String> {
    Ok(state.app().assets_behind_chart()?)
}

/// The HICP questions asked of an organisation of `size`.
#[tauri::command]
pub async fn hicp_questions(state: State<'_, AppState>, size: Size) -> Reply<QuestionsView> {
    Ok(state.app().hicp_questions(size)?)
}

/// Every HICP self-assessment scored, newest first, with the charts.
#[tauri::command]
pub async fn hicp_assessments(state: State<'_, AppState>) -> Reply<AssessmentsView> {
    Ok(state.app().hicp_assessments()?)
}

/// Records today's HICP self-assessment (admins).
#[tauri::command]
pub async fn record_hicp(
    state: State<'_, AppState>,
    size: Size,
    answers: BTreeMap<String, Given>,
) -> Reply<Scored> {
    Ok(state.app().record_hicp(size, answers)?)
}

/// Adds a gap of a self-assessment to the risk register (admins).
#[tauri::command]
pub async fn hicp_gap_to_risk(
    state: State<'_, AppState>,
    date: chrono::NaiveDate,
    question: String,
    likelihood: u8,
    impact: u8,
) -> Reply<RiskView> {
    Ok(state.app().hicp_gap_to_risk(date, &question, likelihood, impact)?)
}

/// The KEV catalogue's entries that affect the asset register.
#[tauri::command]
pub async fn kev_matches(state: State<'_, AppState>) -> Reply<KevView> {
    Ok(state.app().kev_matches()?)
}

/// Imports CISA's KEV CSV, replacing the catalogue (admins): how many entries it holds.
#[tauri::command]
pub async fn import_kev(state: State<'_, AppState>, bytes: Vec<u8>) -> Reply<usize> {
    Ok(state.app().import_kev(&bytes)?)
}
