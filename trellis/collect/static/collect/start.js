// Starting a session. With a network the form posts and the server starts it. With none, the
// session starts on this device: a client-chosen id, kept in IndexedDB with what the screen
// needs, posted to the server (idempotently, by that id) before its events on the next sync.
// "A network" means the server answers: a classroom's Wi-Fi is often up with nothing behind it
// (a captive portal, a dead uplink), where navigator.onLine says yes and a post would end on
// the browser's error page.

import { keepOffline } from "./offline.js";
import { PENDING, putSession } from "./store.js";

const kit = JSON.parse(document.getElementById("start-kit").textContent);
const form = document.querySelector("form.start-form");
const problem = document.getElementById("start-problem");

// The screen's page and files must be on the device before the network goes: its entry files
// by their (possibly hashed) names, and the modules they import, which resolve like these.
const screenModules = ["controls.js", "cues.js", "offline.js", "store.js", "sync.js"].map(
  (name) => new URL(`./${name}`, import.meta.url).pathname,
);
keepOffline(kit.service_worker, kit.scope, kit.static_url, [kit.offline_url, ...kit.screen_files, ...screenModules]);

const SERVER_WAIT_MS = 3000;

async function serverAnswers() {
  if (!navigator.onLine) return false;
  try {
    const response = await fetch(kit.health_url, {
      cache: "no-store",
      signal: AbortSignal.timeout(SERVER_WAIT_MS),
    });
    return response.ok;
  } catch {
    return false;
  }
}

let checked = false; // the server answered: let the form post as usual
let asking = false; // a second tap on Start while the server is asked starts nothing more

form?.addEventListener("submit", async (event) => {
  if (checked) return;
  event.preventDefault();
  if (asking) return;
  asking = true;
  const answers = await serverAnswers();
  asking = false;
  if (answers) {
    checked = true;
    form.requestSubmit(event.submitter);
    return;
  }
  const picked = new FormData(form).getAll("goals").map(Number);
  if (picked.length === 0) {
    problem.textContent = "Goals to run: pick at least one goal.";
    problem.hidden = false;
    return;
  }
  const id = crypto.randomUUID();
  const startedAt = new Date().toISOString();
  const setting = form.elements.setting.value;
  const learners = kit.learners
    .map((learner) => ({ ...learner, goals: learner.goals.filter((g) => picked.includes(g.id)) }))
    .filter((learner) => learner.goals.length > 0 || kit.group !== null);
  const screen = {
    session: { id, started_at: startedAt, primary_session: null },
    learners,
    events: [],
    sync_url: kit.sync_url,
    sessions_url: kit.sessions_url,
    login_url: kit.login_url,
    service_worker: kit.service_worker,
    scope: kit.scope,
    static_url: kit.static_url,
    offline_url: kit.offline_url,
  };
  const start = { id, learner: kit.learner, group: kit.group, goals: picked, started_at: startedAt, setting };
  try {
    await putSession({ id, status: PENDING, start, screen });
  } catch (error) {
    problem.textContent = `This device could not keep the session (${error}).`;
    problem.hidden = false;
    return;
  }
  location.assign(`${kit.offline_url}#${id}`);
});
