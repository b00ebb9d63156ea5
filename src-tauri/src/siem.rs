//! The SIEM on the admins' Fleet screen (issue 22, `docs/siem.md`): where forwarding
//! stands, setting the target (the certificates read from files by the page, as text) or
//! turning it off, and "Forward now". The client key goes in and never comes back out.
//!
//! "Forward now" is the publishing thread's forward (`App::forward_siem_off_lock`), run on
//! a blocking thread: it takes the app only to read a batch and to move the cursor, so a
//! SIEM that hangs holds up no other window command.

use caregiver::app::App;
use caregiver::app::siem::{Attempt, SiemSetting, SiemStatus, host_and_port};
use serde::Deserialize;
use tauri::{AppHandle, Manager, State};
use zeroize::Zeroizing;

use crate::commands::{AppState, Reply};

/// What the Fleet screen's form sends: `HOST:PORT` as typed, the PEM text of the files
/// chosen (the client's certificate and key empty or absent when not used).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiemForm {
    target: String,
    ca_pem: String,
    #[serde(default)]
    client_cert_pem: Option<String>,
    #[serde(default)]
    client_key_pem: Option<Zeroizing<String>>,
    #[serde(default)]
    send_text: bool,
}

/// The key left out: a secret is never printed.
impl std::fmt::Debug for SiemForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SiemForm")
            .field("target", &self.target)
            .field("client_cert", &self.client_cert_pem.is_some())
            .field("client_key", &self.client_key_pem.as_ref().map(|_| "(withheld)"))
            .field("send_text", &self.send_text)
            .finish_non_exhaustive()
    }
}

/// Where forwarding stands: the target, TLS or mutual TLS, typed text sent or not, the
/// entries forwarded and when, those waiting, why the last forward failed.
#[tauri::command]
pub async fn siem_status(state: State<'_, AppState>) -> Reply<SiemStatus> {
    Ok(state.app().siem_status()?)
}

/// Sets the SIEM (admins): checked first, nothing stored when a part is bad. Returns the
/// target's name.
#[tauri::command]
pub async fn set_siem(state: State<'_, AppState>, setting: SiemForm) -> Reply<String> {
    let (host, port) = host_and_port(&setting.target)?;
    let setting = SiemSetting {
        host,
        port,
        ca_pem: setting.ca_pem,
        client_cert_pem: setting.client_cert_pem,
        client_key_pem: setting.client_key_pem,
        send_text: setting.send_text,
        plain_tcp: false,
    };
    Ok(state.app().set_siem(setting)?)
}

/// Turns forwarding off (admins); how far it got is kept.
#[tauri::command]
pub async fn siem_off(state: State<'_, AppState>) -> Reply<()> {
    Ok(state.app().siem_off()?)
}

/// Forwards the entries waiting now, on a blocking thread, holding the app only between
/// network uses: forwarded, not set, or the failure (also kept for the status).
#[tauri::command]
pub async fn forward_siem_now(app: AppHandle) -> Reply<Attempt> {
    let attempt = tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        App::forward_siem_off_lock(|| state.app())
    })
    .await
    .map_err(|e| caregiver::Error::Invalid { what: "SIEM", reason: e.to_string() })?;
    Ok(attempt)
}
