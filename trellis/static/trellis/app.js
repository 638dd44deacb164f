// Signs the page out on the client too when the idle timeout passes, so a shared tablet left on a
// desk does not keep showing a child's record until someone touches it. With no network the
// sign-in page cannot load, so the page hides itself instead (events recorded on the collection
// screen stay on the device) and goes to sign-in as soon as the network returns.
const body = document.body;
const timeout = Number(body.dataset.idleTimeout || 0);

function goToSignIn() {
  location.assign(`${body.dataset.loginUrl}?next=${encodeURIComponent(location.pathname)}`);
}

function lockWhileOffline() {
  if (body.classList.contains("idle-locked")) return;
  body.classList.add("idle-locked");
  const notice = document.createElement("p");
  notice.className = "idle-notice";
  notice.setAttribute("role", "alert");
  notice.textContent = "Signed out after a period of inactivity. Anything recorded is kept on " +
    "this device; sign in again when the network returns.";
  body.append(notice);
  addEventListener("online", goToSignIn, { once: true });
}

if (timeout > 0) {
  let last = Date.now();
  const touch = () => { last = Date.now(); };
  for (const kind of ["pointerdown", "keydown", "scroll"]) {
    addEventListener(kind, touch, { passive: true });
  }
  setInterval(() => {
    if (Date.now() - last > timeout * 1000) {
      if (navigator.onLine) goToSignIn(); else lockWhileOffline();
    }
  }, Math.min(15000, timeout * 250));
}

// Phones show a table as one card per row (trellis.css); each cell carries its column's label.
function labelCells() {
  for (const table of document.querySelectorAll("table.list")) {
    const labels = [];
    for (const th of table.querySelectorAll("thead tr:last-child th")) {
      for (let i = 0; i < th.colSpan; i++) labels.push(th.textContent.trim());
    }
    for (const row of table.querySelectorAll("tbody tr")) {
      let column = 0;
      for (const cell of row.cells) {
        const label = labels[column];
        if (label && !cell.hasAttribute("data-label")) cell.dataset.label = label;
        column += cell.colSpan;
      }
    }
  }
}
labelCells();
document.addEventListener("htmx:afterSettle", labelCells);

// The folded navigation on narrow screens.
const menu = document.querySelector(".menu-toggle");
if (menu) {
  menu.addEventListener("click", () => {
    const open = menu.getAttribute("aria-expanded") !== "true";
    menu.setAttribute("aria-expanded", String(open));
    menu.closest(".topbar").classList.toggle("open", open);
  });
}
