// Home screen: the playbooks of the pack in force, from the core.

import { request, showError } from "./api.js";

async function showPlaybooks() {
  const status = document.getElementById("playbooks-status");
  const list = document.getElementById("playbook-list");
  const result = await request("list_playbooks");
  if (result.state === "error") {
    list.hidden = true;
    showError(status, result.error);
    return;
  }
  const playbooks = result.data;
  list.replaceChildren(...playbooks.map((p) => {
    const item = document.createElement("li");
    item.className = "playbook";
    item.dataset.playbookId = p.id;
    item.textContent = p.title;
    return item;
  }));
  list.hidden = playbooks.length === 0;
  status.dataset.state = playbooks.length === 0 ? "empty" : "ready";
  status.textContent = playbooks.length === 0
    ? "No playbooks are installed. Call IT security."
    : `${playbooks.length} ${playbooks.length === 1 ? "playbook" : "playbooks"} available.`;
}

async function showAbout() {
  const result = await request("app_info");
  if (result.state !== "ready") return;
  document.getElementById("app-version").textContent = `Version ${result.data.version}`;
  const dataDir = document.getElementById("app-data-dir");
  dataDir.textContent = `Data folder: ${result.data.data_dir}`;
  dataDir.dataset.path = result.data.data_dir;
}

showPlaybooks();
showAbout();
