// Show the restraint / seclusion section (and the picker's Applied / Observed toggles) only for
// those types, so the form stays short.
const form = document.getElementById("incident-form");
const section = document.getElementById("restraint-section");
if (form && section) {
  const kind = form.querySelector("[name=kind]");
  const kinds = section.dataset.kinds.split(" ");
  const update = () => {
    section.hidden = !kinds.includes(kind.value);
    form.classList.toggle("not-restrictive", section.hidden);
  };
  kind.addEventListener("change", update);
  update();
}
