// Signs the page out on the client too when the idle timeout passes, so a shared tablet left on a
// desk does not keep showing a child's record until someone touches it.
const body = document.body;
const timeout = Number(body.dataset.idleTimeout || 0);
if (timeout > 0) {
  let last = Date.now();
  const touch = () => { last = Date.now(); };
  for (const kind of ["pointerdown", "keydown", "scroll"]) {
    addEventListener(kind, touch, { passive: true });
  }
  setInterval(() => {
    if (Date.now() - last > timeout * 1000) {
      location.assign(`${body.dataset.loginUrl}?next=${encodeURIComponent(location.pathname)}`);
    }
  }, 15000);
}
