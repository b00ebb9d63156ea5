// Times as people read them: in the workstation's zone (the core's status names it: the
// system's, or the one an admin set), 24-hour, with the zone's abbreviation on every time,
// as the printed forms have them: "2026-11-28 14:05 EST". The core sends UTC (RFC 3339).

let zone = "UTC";

/** The zone the window reads times in (an IANA name), from the core's status. */
export function setZone(name) {
  zone = name || "UTC";
}

/** "2026-11-28 14:05 EST". */
export function local(iso) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return String(iso);
  let parts;
  try {
    parts = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short",
    }).formatToParts(at);
  } catch {
    // A zone this webview does not know: UTC, said so.
    return `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  }
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${p.timeZoneName}`;
}
