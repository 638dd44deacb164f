// Sends waiting events to the server in batches and records its answer for each one.
// Runs after each tap (shortly), when the network returns, every so often while events wait,
// and when the user presses Sync. Nothing is deleted: accepted events are marked synced,
// rejected ones keep the reason and stay on the device to be shown.

import {
  applyResults,
  countWithStatus,
  PENDING,
  putSession,
  REJECTED,
  sessionsWithStatus,
  SYNCED,
  withStatus,
} from "./store.js";

const BATCH = 500; // the API takes at most 1,000 a batch
const RETRY_MS = 15000;
const AFTER_TAP_MS = 1500;

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

// What the API expects of an event; the device's bookkeeping (status, seq) stays here.
function wire(record) {
  const { id, session, goal, target, kind, value, recorded_at, voids } = record;
  return { id, session, goal, target, kind, value, recorded_at, voids };
}

export class Syncer extends EventTarget {
  constructor(url, sessionsUrl = "/api/v1/sessions") {
    super();
    this.url = url;
    this.sessionsUrl = sessionsUrl;
    this.running = null;
    this.soon = null;
    this.state = "idle"; // idle | syncing | offline | signed-out | error
    this.message = "";
    addEventListener("online", () => this.sync());
    setInterval(() => this.syncIfWaiting(), RETRY_MS);
  }

  async counts() {
    return { waiting: await countWithStatus(PENDING), rejected: await countWithStatus(REJECTED) };
  }

  // Tells the screen the counts and the state; `applied` says the server answered events,
  // so their statuses on the screen need a refresh.
  async announce(applied = false) {
    const counts = await this.counts();
    const detail = { ...counts, state: this.state, message: this.message, applied };
    this.dispatchEvent(new CustomEvent("change", { detail }));
  }

  // Called a few times per sync run (never per tap), so the badge is recounted from the device
  // after every run, whatever happened.
  setState(state, message = "", applied = false) {
    this.state = state;
    this.message = message;
    return this.announce(applied);
  }

  // A tap asks for a sync shortly after, so a burst of taps goes as one batch. It does no
  // other work: the screen counts its own taps, and a tap must cost next to nothing.
  nudge() {
    clearTimeout(this.soon);
    this.soon = setTimeout(() => this.sync(), AFTER_TAP_MS);
  }

  async syncIfWaiting() {
    if ((await countWithStatus(PENDING)) > 0) this.sync();
  }

  sync() {
    // One sync at a time; a request while one runs waits for it and then runs again.
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.sync();
      }
    });
    return this.running;
  }

  async post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(),
      },
      body: JSON.stringify(body),
    });
  }

  // A session started with no network is created on the server (same id, so a repeat is
  // harmless) before its events go, or they would be refused as of an unknown session.
  // Returns false when the network or the sign-in is missing.
  async sendSessions() {
    for (const record of await sessionsWithStatus(PENDING)) {
      let response;
      try {
        response = await this.post(this.sessionsUrl, record.start);
      } catch {
        await this.setState("offline", "No network: events wait on this device.");
        return false;
      }
      if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
        await this.setState("signed-out", "Signed out: sign in again to send waiting events.");
        return false;
      }
      if (response.ok) {
        record.status = SYNCED;
        delete record.reason;
      } else if (response.status >= 500) {
        await this.setState("error", `The server answered ${response.status}; will retry.`);
        return false;
      } else {
        // The server will not create it (e.g. a goal left the plan): its events will be
        // refused with the reason, and stay on the device.
        let reason = `The server refused the session (${response.status}).`;
        try {
          const body = await response.json();
          const detail = body.detail;
          if (Array.isArray(detail)) reason = detail.map((d) => d.msg || String(d)).join(" ") || reason;
          else if (detail) reason = String(detail);
        } catch {
          // keep the status line
        }
        record.status = REJECTED;
        record.reason = reason;
      }
      await putSession(record);
    }
    return true;
  }

  async run() {
    let applied = false;
    if (!(await this.sendSessions())) return;
    for (;;) {
      const batch = await withStatus(PENDING, BATCH);
      if (batch.length === 0) return this.setState("idle", "", applied);
      await this.setState("syncing");
      let response;
      try {
        response = await this.post(this.url, { events: batch.map(wire) });
      } catch {
        return this.setState("offline", "No network: events wait on this device.");
      }
      if (response.type === "opaqueredirect" || response.status === 401) {
        return this.setState("signed-out", "Signed out: sign in again to send waiting events.");
      }
      if (response.status === 403) {
        return this.setState("signed-out", "The server refused the sync (sign in again).");
      }
      if (!response.ok) {
        return this.setState("error", `The server answered ${response.status}; will retry.`);
      }
      let body;
      try {
        body = await response.json();
      } catch {
        return this.setState("error", "The server's answer was not readable; will retry.");
      }
      const results = body.results || [];
      if (results.length === 0) {
        return this.setState("error", "The server answered without results; will retry.");
      }
      await applyResults(results);
      applied = true;
      if (batch.length < BATCH) return this.setState("idle", "", applied);
    }
  }
}
