//! A blank Tauri 2 window, the startup benchmark's baseline (`scripts/bench-startup.sh`):
//! the same Tauri, release profile and window security as the app, and a page that calls
//! one command and records when it first painted, as the app's lock screen does. Nothing
//! else: no store, no plugin, no ticker.

// The app's drawing mode, shared so that the benchmark compares like with like.
#[path = "../../src/rendering.rs"]
mod rendering;

/// The page's one command. It takes the app's first command's name so that the app's
/// capability file (built by the same `build.rs`) grants it.
#[tauri::command]
fn app_info() -> &'static str {
    "blank"
}

fn main() -> std::process::ExitCode {
    // generate_context!() expands to code that may call process::exit; that is Tauri's.
    #[allow(clippy::disallowed_methods)]
    let result = tauri::Builder::default()
        .setup(|app| {
            rendering::without_gpu_compositing(app);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![app_info])
        .run(tauri::generate_context!("examples/blank/tauri.conf.json"));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("blank: error[tauri]: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
