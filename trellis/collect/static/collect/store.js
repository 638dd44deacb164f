// The device's copy of every event, in IndexedDB. An event is written here before anything else
// happens to it, and stays here after it is synced (status "synced"), so the screen can be rebuilt
// after a reload with no network. A rejected event stays too, with the server's reason.

const DB_NAME = "trellis-collect";
const DB_VERSION = 2;
export const PENDING = "pending";
export const SYNCED = "synced";
export const REJECTED = "rejected";

let opening = null;

export function openDb() {
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("events")) {
        const events = db.createObjectStore("events", { keyPath: "id" });
        // Rebuilding one session's screen reads by session; the sync loop reads by status.
        events.createIndex("session", "session");
        events.createIndex("status", "status");
      }
      if (!db.objectStoreNames.contains("runs")) {
        // Running timers and intervals, so a reload picks them up where they were.
        db.createObjectStore("runs", { keyPath: "key" });
      }
      if (!db.objectStoreNames.contains("sessions")) {
        // Sessions started with no network: what to post to the server, and the screen's data.
        db.createObjectStore("sessions", { keyPath: "id" }).createIndex("status", "status");
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => {
      opening = null;
      reject(request.error);
    };
  });
  return opening;
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction aborted"));
  });
}

function all(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export async function putEvent(record) {
  const db = await openDb();
  const tx = db.transaction("events", "readwrite");
  tx.objectStore("events").put(record);
  // Commit now rather than when the browser notices the transaction is idle: a tap is on disk
  // a few milliseconds sooner, should the page be closed or reloaded right after it.
  tx.commit?.();
  return done(tx);
}

export async function eventsOfSession(sessionId) {
  const db = await openDb();
  const tx = db.transaction("events");
  return all(tx.objectStore("events").index("session").getAll(sessionId));
}

export async function withStatus(status, limit) {
  const db = await openDb();
  const tx = db.transaction("events");
  const found = await all(tx.objectStore("events").index("status").getAll(status, limit));
  // The server resolves a void against the event it names, so send in the order recorded.
  found.sort((a, b) => a.seq - b.seq);
  return found;
}

export async function countWithStatus(status) {
  const db = await openDb();
  const tx = db.transaction("events");
  return all(tx.objectStore("events").index("status").count(status));
}

// Applies the server's per-event answers in one transaction.
export async function applyResults(results) {
  const db = await openDb();
  const tx = db.transaction("events", "readwrite");
  const store = tx.objectStore("events");
  for (const result of results) {
    const request = store.get(result.id);
    request.onsuccess = () => {
      const record = request.result;
      if (!record) return;
      if (result.status === "accepted" || result.status === "duplicate") {
        record.status = SYNCED;
        delete record.reason;
      } else {
        record.status = REJECTED;
        record.reason = result.reason || "Rejected by the server.";
      }
      store.put(record);
    };
  }
  return done(tx);
}

export async function putRun(key, run) {
  const db = await openDb();
  const tx = db.transaction("runs", "readwrite");
  if (run) tx.objectStore("runs").put({ key, ...run });
  else tx.objectStore("runs").delete(key);
  return done(tx);
}

export async function runsWithPrefix(prefix) {
  const db = await openDb();
  const tx = db.transaction("runs");
  const range = IDBKeyRange.bound(prefix, prefix + "\uffff");
  return all(tx.objectStore("runs").getAll(range));
}

export async function putSession(record) {
  const db = await openDb();
  const tx = db.transaction("sessions", "readwrite");
  tx.objectStore("sessions").put(record);
  return done(tx);
}

export async function getSession(id) {
  const db = await openDb();
  return all(db.transaction("sessions").objectStore("sessions").get(id));
}

export async function sessionsWithStatus(status) {
  const db = await openDb();
  const found = await all(db.transaction("sessions").objectStore("sessions").index("status").getAll(status));
  found.sort((a, b) => a.start.started_at.localeCompare(b.start.started_at));
  return found;
}
