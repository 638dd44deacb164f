// The staff picker: one list of people with a toggle per part they had (involved, applied,
// observed). Search by name; until one searches only the learner's team and the people already
// ticked show, so the list stays short on a phone. Without this script every row shows.
const fold = (text) =>
  text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase();

for (const picker of document.querySelectorAll(".staff-picker")) {
  const search = picker.querySelector(".picker-search");
  const input = search.querySelector("input");
  const rows = [...picker.querySelectorAll(".picker-row")];
  const groups = [...picker.querySelectorAll(".picker-group")];
  const more = picker.querySelector(".picker-more");
  const none = picker.querySelector(".picker-none");
  let everyone = false;
  const chosen = (row) => row.querySelector("input:checked") !== null;
  const update = () => {
    const query = fold(input.value.trim());
    let shown = 0;
    let held = 0;
    for (const row of rows) {
      const match = query
        ? fold(row.dataset.name).includes(query)
        : everyone || row.dataset.group === "team" || chosen(row);
      row.hidden = !match;
      if (match) shown += 1;
      else if (!query) held += 1;
    }
    for (const group of groups) {
      group.hidden = !rows.some((r) => r.dataset.group === group.dataset.group && !r.hidden);
    }
    more.hidden = query !== "" || held === 0;
    none.hidden = shown > 0 || query === "";
  };
  search.hidden = false;
  input.addEventListener("input", update);
  // Enter in the search box must not file the report.
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault();
  });
  more.addEventListener("click", () => {
    everyone = true;
    update();
  });
  // Whoever applied or observed it was involved.
  picker.addEventListener("change", (event) => {
    const box = event.target;
    if (box.checked && box.name !== "staff_involved") {
      const involved = box.closest(".picker-row").querySelector("input[name=staff_involved]");
      if (involved) involved.checked = true;
    }
  });
  update();
}
