//! The default playbook pack is embedded with `include_dir!`, which cannot tell cargo
//! to rebuild when a file in `playbooks/` changes; this does.
fn main() {
    println!("cargo:rerun-if-changed=playbooks");
}
