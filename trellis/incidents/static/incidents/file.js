// Show the restraint / seclusion section only for those types, so the form stays short.
const form = document.getElementById("incident-form");
const section = document.getElementById("restraint-section");
if (form && section) {
  const kind = form.querySelector("[name=kind]");
  const kinds = section.dataset.kinds.split(" ");
  const update = () => {
    section.hidden = !kinds.includes(kind.value);
  };
  kind.addEventListener("change", update);
  update();
}
