// On the summary page: warn when this device still holds events of the session that have not
// reached the server (the summary would miss them), and send them.
import { eventsOfSession, PENDING, REJECTED } from "./store.js";
import { Syncer } from "./sync.js";

const note = document.getElementById("unsent");
const session = note.dataset.session;
const syncer = new Syncer("/api/v1/sync");

async function check() {
  const mine = await eventsOfSession(session);
  const waiting = mine.filter((e) => e.status === PENDING).length;
  const rejected = mine.filter((e) => e.status === REJECTED).length;
  const parts = [];
  if (waiting) parts.push(`${waiting} event${waiting > 1 ? "s" : ""} from this device not sent yet — the summary will change when they arrive.`);
  if (rejected) parts.push(`${rejected} event${rejected > 1 ? "s were" : " was"} not accepted (see the recording screen).`);
  note.textContent = parts.join(" ");
  note.hidden = parts.length === 0;
  return waiting;
}

check().then((waiting) => {
  if (waiting) {
    syncer.sync().then(async () => {
      if ((await check()) === 0) location.reload();
    });
  }
});
