// The blank window's page: one command, one line of text, and the time of the first paint
// after it (the same marker, set the same way, as the app's first screen: ui/js/main.js),
// with the same marks of where the time went, printed beside each launch.
const marks = [];
const mark = (name) => marks.push(`${name}=${performance.now().toFixed(0)}`);
mark("script");
const main = document.getElementById("main");
const answer = await window.__TAURI__.core.invoke("app_info");
main.textContent = `Ready: ${answer}`;
main.dataset.screen = "blank";
mark("drawn");
requestAnimationFrame(() => {
  mark("frame");
  requestAnimationFrame(() => {
    mark("next-frame");
    const paint = performance.getEntriesByName("first-contentful-paint")[0];
    if (paint) marks.push(`first-contentful-paint=${paint.startTime.toFixed(0)}`);
    main.dataset.marks = marks.join(" ");
    main.dataset.pageStart = String(performance.timeOrigin);
    main.dataset.paintedAt = String(performance.timeOrigin + performance.now());
  });
});
