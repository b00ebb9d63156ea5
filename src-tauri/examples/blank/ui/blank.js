// The blank window's page: one command, one line of text, and the time of the first paint
// after it (the same marker, set the same way, as the app's first screen: ui/js/main.js).
const main = document.getElementById("main");
const answer = await window.__TAURI__.core.invoke("app_info");
main.textContent = `Ready: ${answer}`;
main.dataset.screen = "blank";
requestAnimationFrame(() => requestAnimationFrame(() => {
  main.dataset.pageStart = String(performance.timeOrigin);
  main.dataset.paintedAt = String(performance.timeOrigin + performance.now());
}));
