//! How the window is drawn on Linux: WebKitGTK's software path, without its GPU compositor.
//!
//! Ward workstations are often thin clients or virtual desktops with no GPU. There
//! WebKitGTK's accelerated compositing runs on a software GL (Mesa's llvmpipe), which the
//! startup benchmark showed costs 100 to 300 ms for the lock screen's first frame alone
//! against 5 to 25 ms drawn without it (`scripts/bench-startup.sh`, benches/README.md), and
//! it is the usual cause of a blank or frozen WebKitGTK window on such machines. The app's
//! screens are forms and text, which gain nothing from the compositor, so it is never used
//! (`HardwareAccelerationPolicy::Never`, what `WEBKIT_DISABLE_COMPOSITING_MODE=1` asks for).
//! The blank window the startup benchmark compares against includes this file and does the
//! same, so the benchmark measures what the app adds, not the drawing mode. Other platforms'
//! webviews are left as they are.

/// Sets the main window's drawing mode; call it before the event loop draws the first
/// frame (in `setup`).
pub fn without_gpu_compositing<R: tauri::Runtime>(app: &tauri::App<R>) {
    #[cfg(target_os = "linux")]
    {
        use tauri::Manager;
        let Some(window) = app.get_webview_window("main") else { return };
        let set = window.with_webview(|webview| {
            use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
            if let Some(settings) = webview.inner().settings() {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        });
        if let Err(e) = set {
            // Drawing still works, only slower on a machine without a GPU.
            eprintln!("caregiver-desktop: the drawing mode could not be set: {e}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}
