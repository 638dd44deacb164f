// The live collection screen. Each tap makes an event (DESIGN.md's contract), draws it on the
// screen in the same frame, then writes it to IndexedDB and lets the sync loop send it. The
// screen is rebuilt from the events the page was served with plus the device's own copy, so a
// reload with no network shows everything recorded so far.

import { CONTROLS, clock, h } from "./controls.js";
import { keepOffline } from "./offline.js";
import {
  eventsOfSession,
  getSession,
  openDb,
  PENDING,
  putEvent,
  putRun,
  REJECTED,
  runsWithPrefix,
  SYNCED,
} from "./store.js";
import { Syncer } from "./sync.js";

const root = document.getElementById("screen");

// The page carries the screen's data; a session started with no network has it in IndexedDB
// (its id in the URL's fragment) and the page is an empty shell to fill.
async function loadData() {
  const carried = document.getElementById("screen-data");
  if (carried) return JSON.parse(carried.textContent);
  const id = decodeURIComponent(location.hash.slice(1));
  const stored = id ? await getSession(id) : null;
  if (!stored) throw new Error("this session is not on this device");
  buildShell(stored.screen);
  return stored.screen;
}

function buildShell(screen) {
  const names = screen.learners.map((learner) => learner.name).join(", ");
  document.getElementById("screen-title").textContent = names;
  document.title = `Recording: ${names} · Trellis`;
  document.getElementById("end-form").action = `/collect/sessions/${screen.session.id}/end/`;
  const lanes = document.getElementById("lanes");
  if (screen.learners.length > 1) {
    lanes.append(
      h(
        "div",
        { class: "learner-tabs", role: "tablist" },
        screen.learners.map((learner, i) =>
          h("button", { type: "button", role: "tab", dataset: { showLane: learner.id }, "aria-selected": String(i === 0), text: learner.name }),
        ),
      ),
    );
  }
  screen.learners.forEach((learner, i) => {
    lanes.append(h("div", { class: "controls", dataset: { lane: learner.id }, hidden: i > 0 }));
  });
  const body = document.getElementById("plans-body");
  for (const learner of screen.learners) {
    if (screen.learners.length > 1) body.append(h("h2", { text: learner.name }));
    const plans = [...learner.plans].sort((a, b) => (a.kind === "safety" ? -1 : 0) - (b.kind === "safety" ? -1 : 0));
    for (const plan of plans) {
      body.append(
        h(
          "section",
          { class: plan.kind === "safety" ? "crisis" : "" },
          h("h3", { text: `${plan.kind_label}: ${plan.title} ` }, h("span", { class: "hint", text: `v${plan.version}` })),
          h("div", { class: "plan-text", text: plan.summary || "(no text)" }),
        ),
      );
    }
    if (plans.length === 0) body.append(h("p", { class: "empty", text: "No approved behavior or safety plan." }));
    body.append(h("h3", { text: "Behavior definitions" }));
    for (const d of learner.behavior_definitions) {
      body.append(
        h(
          "section",
          { class: "definition" },
          h("h4", { text: d.name }),
          h("p", { text: d.definition }),
          d.examples ? h("p", {}, h("strong", { text: "Examples: " }), d.examples) : null,
          d.non_examples ? h("p", {}, h("strong", { text: "Non-examples: " }), d.non_examples) : null,
        ),
      );
    }
  }
}

let data;
try {
  data = await loadData();
} catch (error) {
  document.getElementById("sync-status").textContent = `The screen could not open: ${error.message}.`;
  throw error;
}

// Events sort by when they were made on this device; server copies by their recorded time.
let lastSeq = 0;
function nextSeq() {
  lastSeq = Math.max(lastSeq + 0.001, performance.timeOrigin + performance.now());
  return lastSeq;
}

// The session's events on this screen, and each goal's list of them (voids included).
class SessionState {
  constructor(session) {
    this.session = session;
    this.events = new Map();
    this.byGoal = new Map();
  }

  add(record) {
    const known = this.events.get(record.id);
    if (known) {
      if (record.status) Object.assign(known, { status: record.status, reason: record.reason });
      return;
    }
    this.events.set(record.id, record);
    // A void with no goal (from another client) belongs with the event it cancels.
    const goal = record.goal ?? this.events.get(record.voids)?.goal;
    const key = String(goal);
    if (!this.byGoal.has(key)) this.byGoal.set(key, []);
    this.byGoal.get(key).push(record);
  }

  sort() {
    for (const list of this.byGoal.values()) list.sort((a, b) => a.seq - b.seq);
  }

  // The corrected view of one goal: what the summary and the graph will count. As in
  // trellis.analysis.summaries.apply_voids, a void that is itself voided cancels nothing.
  effective(goalId) {
    const list = (this.byGoal.get(String(goalId)) || []).filter((e) => e.status !== REJECTED);
    const voiders = new Map();
    for (const e of list) {
      if (e.kind !== "void") continue;
      if (!voiders.has(e.voids)) voiders.set(e.voids, []);
      voiders.get(e.voids).push(e.id);
    }
    if (voiders.size === 0) return list;
    const memo = new Map();
    const cancelled = (id, depth = 0) => {
      if (memo.has(id)) return memo.get(id);
      const result = depth < 50 && (voiders.get(id) || []).some((v) => !cancelled(v, depth + 1));
      memo.set(id, result);
      return result;
    };
    return list.filter((e) => e.kind !== "void" && !cancelled(e.id));
  }

  rejected() {
    return [...this.events.values()].filter((e) => e.status === REJECTED);
  }
}

// Goals are shown per learner: one learner, or each learner of a group session.
const state = new SessionState(data.session);
const goals = new Map();
const controls = new Map();
const runs = new Map();
for (const learner of data.learners) for (const goal of learner.goals) goals.set(String(goal.id), goal);
const syncer = new Syncer(data.sync_url, data.sessions_url);
let waiting = 0;

const badge = document.getElementById("sync-badge");
const syncStatus = document.getElementById("sync-status");
const rejectedPanel = document.getElementById("rejected");

function showWaiting() {
  badge.textContent = waiting === 1 ? "1 waiting" : `${waiting} waiting`;
  badge.dataset.waiting = String(waiting);
  badge.classList.toggle("all-sent", waiting === 0);
}

function render(goal) {
  const control = controls.get(String(goal.id));
  if (control) control.render(state.effective(goal.id));
}

function record(goal, kind, value, target = null, voids = null) {
  const event = {
    id: crypto.randomUUID(),
    session: state.session.id,
    goal: goal.id,
    target,
    kind,
    value,
    recorded_at: new Date().toISOString(),
    voids,
    status: PENDING,
    seq: nextSeq(),
  };
  state.add(event);
  render(goal);
  waiting += 1;
  showWaiting();
  putEvent(event).then(
    () => syncer.nudge(),
    (error) => showProblem(`This device could not store an event (${error}). Keep this page open.`),
  );
  return event;
}

function undo(goal) {
  const last = state.effective(goal.id).at(-1);
  if (!last) return;
  record(goal, "void", { reason: "Undone on the collection screen" }, last.target, last.id);
}

function showProblem(text) {
  syncStatus.textContent = text;
  syncStatus.classList.add("problem");
}

function renderRejected() {
  const rows = state.rejected().map((event) => {
    const goal = goals.get(String(event.goal));
    return h(
      "li",
      { dataset: { event: event.id } },
      h("strong", { text: `${goal ? goal.name : "Goal " + event.goal}: ${event.kind}` }),
      ` ${JSON.stringify(event.value)} at ${new Date(event.recorded_at).toLocaleTimeString()} — `,
      h("span", { class: "reason", text: event.reason }),
    );
  });
  rejectedPanel.hidden = rows.length === 0;
  rejectedPanel.querySelector("ul").replaceChildren(...rows);
  rejectedPanel.querySelector(".count").textContent = String(rows.length);
}

// After a sync, take the server's answers (now in IndexedDB) into the screen.
async function refreshStatuses() {
  const stored = await eventsOfSession(state.session.id);
  const touched = new Set();
  for (const record of stored) {
    const known = state.events.get(record.id);
    if (known && known.status !== record.status) {
      known.status = record.status;
      known.reason = record.reason;
      touched.add(String(known.goal));
    }
  }
  for (const key of touched) if (goals.has(key)) render(goals.get(key));
  renderRejected();
}

syncer.addEventListener("change", (event) => {
  const { waiting: count, state: syncState, message, applied } = event.detail;
  waiting = count;
  showWaiting();
  syncStatus.classList.toggle("problem", syncState === "signed-out" || syncState === "error");
  syncStatus.textContent =
    message ||
    (syncState === "syncing" ? "Sending…" : navigator.onLine ? "" : "Offline: events wait on this device.");
  if (syncState === "signed-out") {
    // Signing in again keeps everything here; the screen syncs when it is opened again.
    const next = encodeURIComponent(location.pathname);
    syncStatus.append(" ", h("a", { href: `${data.login_url}?next=${next}`, text: "Sign in again" }));
  }
  root.dataset.syncState = syncState;
  if (applied) refreshStatuses();
});

function buildLearner(learner, container) {
  const ctx = {
    promptLevels: learner.prompt_levels,
    abc: learner.abc,
    runs,
    record,
    undo,
    rerender: render,
    setRun(key, run) {
      if (run) runs.set(key, run);
      else runs.delete(key);
      putRun(`${state.session.id}:${key}`, run).catch(() => {});
    },
  };
  for (const goal of learner.goals) {
    const make = CONTROLS[goal.measure];
    if (!make) continue;
    const control = make(goal, ctx);
    controls.set(String(goal.id), control);
    container.append(control.el);
  }
}

async function restore() {
  for (const event of data.events) {
    state.add({ ...event, status: SYNCED, seq: Date.parse(event.recorded_at) });
  }
  for (const stored of await eventsOfSession(state.session.id)) state.add(stored);
  state.sort();
  const prefix = `${state.session.id}:`;
  for (const run of await runsWithPrefix(prefix)) runs.set(run.key.slice(prefix.length), run);
}

function tick() {
  const now = Date.now();
  for (const control of controls.values()) control.tick?.(now);
  document.getElementById("session-clock").textContent = clock(now - Date.parse(state.session.started_at));
}

async function start() {
  await openDb();
  await restore();
  for (const learner of data.learners) {
    buildLearner(learner, root.querySelector(`[data-lane="${learner.id}"]`));
  }
  for (const goal of goals.values()) render(goal);
  await syncer.announce();
  renderRejected();
  addEventListener("offline", () => syncer.setState("offline", "No network: events wait on this device."));
  setInterval(tick, 250);
  tick();
  document.getElementById("sync-now").addEventListener("click", () => syncer.sync());
  // Ending needs the server (it computes the summary): send what waits first, and with no
  // network say so rather than leave the screen for a browser error page.
  const endForm = document.getElementById("end-form");
  endForm.addEventListener("submit", async (event) => {
    if (endForm.dataset.sent) return;
    event.preventDefault();
    if (!navigator.onLine) {
      showProblem("No network: end the session when it is back. Everything stays on this device.");
      return;
    }
    await syncer.sync();
    if (waiting > 0) {
      showProblem(`${waiting} events could not be sent yet; try again in a moment.`);
      return;
    }
    endForm.dataset.sent = "true";
    endForm.requestSubmit();
  });
  root.dataset.ready = "true";
  syncer.sync();
  keepOffline(data.service_worker, data.scope, data.static_url, [data.offline_url]);
}

// Learner tabs for a group session; the plan dialog one tap away.
for (const tab of document.querySelectorAll("[data-show-lane]")) {
  tab.addEventListener("click", () => {
    for (const other of document.querySelectorAll("[data-show-lane]")) other.setAttribute("aria-selected", String(other === tab));
    for (const section of root.querySelectorAll("[data-lane]")) section.hidden = section.dataset.lane !== tab.dataset.showLane;
  });
}
for (const opener of document.querySelectorAll("[data-open-dialog]")) {
  const dialog = document.getElementById(opener.dataset.openDialog);
  opener.addEventListener("click", () => dialog.showModal());
  dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
}

start().catch((error) => showProblem(`The screen could not start: ${error}`));
