//! A threat bulletin in the window: IT security signs it, an admin imports it with the
//! CLI; a staff member sees it in the banner on every screen until they say they have read
//! it; the admin's Assets screen shows the pump it affects and the read receipt.

use std::path::Path;

use caregiver::store::Role;

use crate::harness::{ADMIN, ADMIN_PASS, App, Cli};

const SAM: &str = "Sam Staff";
const SAM_FIRST: &str = "first passphrase 12";
const SAM_PASS: &str = "sam's own passphrase";

#[tokio::test(flavor = "multi_thread")]
async fn a_bulletin_shows_in_the_banner_until_its_reader_has_read_it() {
    let app = App::launch_with_store(|s| {
        s.add_user(SAM, Role::Staff, SAM_FIRST.as_bytes(), None).unwrap();
    })
    .await;
    app.set_own_passphrase(SAM, SAM_FIRST, SAM_PASS);
    let data_dir = app.store_path().parent().unwrap().to_path_buf();
    let cli = Cli::new(&data_dir);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    cli.ok(&["assets", "import", root.join("assets/sample.csv").to_str().unwrap()]);
    let key = data_dir.with_file_name("signing.key").display().to_string();
    let public = cli.ok(&["pack", "keygen", "--out", &key]).lines().last().unwrap().to_owned();
    cli.ok(&["pack", "trust", &public]);
    let signed = data_dir.with_file_name("bulletin.json").display().to_string();
    let source = root.join("bulletins/infusion-pump.toml");
    cli.ok(&["bulletin", "sign", source.to_str().unwrap(), "--key", &key, "--out", &signed]);
    cli.ok(&["bulletin", "import", &signed]);

    let bulletin = "#bulletin-banner section[data-bulletin=hc3-2026-1201]";
    app.unlock(SAM, SAM_PASS, "home").await;
    let text = app.find(bulletin).await.text().await.unwrap();
    assert!(
        text.starts_with("CRITICAL: Infusion pumps")
            && text.contains("call Biomedical Engineering"),
        "{text}"
    );
    // On every screen until read.
    app.click("#nav-policies").await;
    app.wait_screen("policies").await;
    app.find(bulletin).await;
    app.click("#bulletin-hc3-2026-1201-read").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.exists(bulletin).await {
        assert!(std::time::Instant::now() < deadline, "the bulletin stayed in the banner");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    app.click("#nav-home").await;
    app.wait_screen("home").await;
    assert!(!app.exists(bulletin).await);

    // The admin, in the audience too, has it to read; his Assets screen shows the pump it
    // affects and the receipt.
    app.click("#nav-lock").await;
    app.unlock(ADMIN, ADMIN_PASS, "home").await;
    app.find(bulletin).await;
    app.click("#nav-assets").await;
    app.wait_screen("assets").await;
    let row = app.texts_of_shown("#bulletins-table tr[data-bulletin=hc3-2026-1201] td").await;
    assert!(
        row[2].contains("1 asset in the register runs an affected product")
            && row[2].contains("pump-4e-07"),
        "{row:?}"
    );
    assert_eq!(row[3], "1 of 2");
    app.close().await;
}
