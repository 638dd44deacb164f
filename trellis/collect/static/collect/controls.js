// One large control per goal, chosen by the goal's measure. A control draws itself from the
// goal's corrected events (voided ones removed) each time they change, and records new events
// through ctx.record / ctx.undo, which update the screen before anything touches storage.

import { cue, unlockSound } from "./cues.js";

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) el.append(child);
  }
  return el;
}

// Taps act on pointerdown, not click: a click waits for the finger to lift, which costs a frame
// or more and loses taps made in quick succession. Keyboard users still get click (detail 0).
function tap(button, action) {
  button.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    action(event);
  });
  button.addEventListener("click", (event) => {
    if (event.detail === 0) action(event);
  });
  return button;
}

export function clock(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return `${minutes}:${seconds}`;
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

function lastBy(events, key) {
  const found = new Map();
  for (const event of events) found.set(key(event), event);
  return found;
}

function card(goal, ...body) {
  return h(
    "section",
    { class: `control measure-${goal.measure}`, "aria-label": goal.name, dataset: { goal: goal.id } },
    h(
      "header",
      { class: "control-head" },
      h("h2", { text: goal.name }),
      h("span", { class: "measure-name", text: goal.measure_label }),
    ),
    ...body,
  );
}

function undoButton(ctx, goal) {
  return tap(
    h("button", { type: "button", class: "undo", "aria-label": `Undo last: ${goal.name}` }, "↶ Undo"),
    () => ctx.undo(goal),
  );
}

// Targets of a skill goal as chips; the chosen one goes with each event.
function targetPicker(goal, ctx) {
  const open = goal.targets.filter((t) => t.state !== "mastered");
  if (open.length === 0) return { el: null, current: () => null };
  let current = open[0].id;
  const chips = open.map((target) =>
    tap(
      h("button", {
        type: "button",
        class: "chip",
        "aria-pressed": String(target.id === current),
        dataset: { target: target.id },
        text: target.name,
      }),
      () => {
        current = target.id;
        for (const chip of chips) chip.setAttribute("aria-pressed", String(chip.dataset.target === String(current)));
        ctx.rerender(goal);
      },
    ),
  );
  return {
    el: h("div", { class: "chips targets", role: "group", "aria-label": "Target" }, chips),
    current: () => current,
  };
}

function frequency(goal, ctx) {
  const targets = targetPicker(goal, ctx);
  const count = h("span", { class: "count", text: "0" });
  const plus = tap(
    h("button", { type: "button", class: "big plus", "aria-label": `Add one: ${goal.name}` }, "+", count),
    () => ctx.record(goal, "count", { n: 1 }, targets.current()),
  );
  return {
    el: card(goal, targets.el, h("div", { class: "row" }, plus, undoButton(ctx, goal))),
    render(events) {
      count.textContent = String(events.reduce((sum, e) => sum + (e.value.n || 0), 0));
    },
  };
}

// A running timer is kept in ctx.runs (IndexedDB) so a reload does not lose it.
function duration(goal, ctx) {
  const key = `${goal.id}:duration`;
  const shown = h("span", { class: "timer", text: "0:00" });
  const total = h("span", { class: "tally", text: "" });
  const button = h("button", { type: "button", class: "big timer-button" }, "Start", shown);
  function running() {
    return ctx.runs.get(key);
  }
  tap(button, () => {
    const run = running();
    if (run) {
      ctx.setRun(key, null);
      ctx.record(goal, "duration", { ms: Math.round(Date.now() - run.started) });
    } else {
      ctx.setRun(key, { started: Date.now() });
      ctx.rerender(goal);
    }
  });
  return {
    el: card(goal, h("div", { class: "row" }, button, undoButton(ctx, goal)), total),
    render(events) {
      const ms = events.reduce((sum, e) => sum + e.value.ms, 0);
      total.textContent = `${events.length} timed · total ${clock(ms)}`;
      const run = running();
      button.firstChild.textContent = run ? "Stop" : "Start";
      button.classList.toggle("running", Boolean(run));
      button.setAttribute("aria-label", `${run ? "Stop" : "Start"} timer: ${goal.name}`);
      if (!run) shown.textContent = "0:00";
    },
    tick(now) {
      const run = running();
      if (run) shown.textContent = clock(now - run.started);
    },
  };
}

function latency(goal, ctx) {
  const key = `${goal.id}:latency`;
  const shown = h("span", { class: "timer", text: "–" });
  const tally = h("span", { class: "tally" });
  const cueButton = h("button", { type: "button", class: "big cue-button" }, "Cue given");
  const responseButton = h("button", { type: "button", class: "big response-button" }, "Response");
  const cancel = h("button", { type: "button", class: "small" }, "No response / cancel");
  tap(cueButton, () => {
    ctx.setRun(key, { started: Date.now() });
    ctx.rerender(goal);
  });
  tap(responseButton, () => {
    const run = ctx.runs.get(key);
    if (!run) return;
    ctx.setRun(key, null);
    ctx.record(goal, "latency", { ms: Math.round(Date.now() - run.started) });
  });
  tap(cancel, () => {
    ctx.setRun(key, null);
    ctx.rerender(goal);
  });
  return {
    el: card(
      goal,
      h("div", { class: "row" }, cueButton, responseButton),
      h("div", { class: "row" }, shown, cancel, undoButton(ctx, goal)),
      tally,
    ),
    render(events) {
      const run = ctx.runs.get(key);
      cueButton.disabled = Boolean(run);
      responseButton.disabled = !run;
      cancel.hidden = !run;
      const last = events.at(-1);
      if (!run) shown.textContent = last ? seconds(last.value.ms) : "–";
      const mean = events.length ? events.reduce((s, e) => s + e.value.ms, 0) / events.length : 0;
      tally.textContent = events.length ? `${events.length} timed · mean ${seconds(mean)}` : "";
    },
    tick(now) {
      const run = ctx.runs.get(key);
      if (run) shown.textContent = seconds(now - run.started);
    },
  };
}

const INTERVAL_WORDS = {
  partial_interval: ["Occurred", "Did not occur"],
  whole_interval: ["Whole interval", "Not the whole interval"],
  momentary_time_sampling: ["Occurring now", "Not occurring"],
};

// Whole interval: did the behavior last the whole interval? Momentary time sampling: is it
// happening at the moment the interval ends? Both are scored only once the interval has ended;
// a partial interval (did it happen at all?) may be scored as soon as it occurs.
const SCORED_DURING = new Set(["partial_interval"]);

// Cues each interval and takes a score for it. The Yes/No buttons score the earliest interval
// that may be scored (begun, or ended for whole interval and MTS) and has no score yet, so a
// missed cue can be caught up in order. At the end of the last interval the recorder stays
// until every interval is scored (or it is stopped), so the last one can be scored too.
function interval(goal, ctx) {
  const key = `${goal.id}:interval`;
  // Events number intervals from 0; the screen shows them from 1.
  const length = goal.settings.interval_seconds * 1000;
  const total = Math.ceil((goal.settings.session_minutes * 60) / goal.settings.interval_seconds);
  const duringInterval = SCORED_DURING.has(goal.measure);
  const [yesWord, noWord] = INTERVAL_WORDS[goal.measure];
  const status = h("p", { class: "interval-status", "aria-live": "polite" });
  const bar = h("div", { class: "bar" }, h("div", { class: "bar-fill" }));
  const cells = Array.from({ length: total }, (_, i) =>
    h("span", { class: "cell", title: `Interval ${i + 1}`, text: String(i + 1) }),
  );
  const start = h("button", { type: "button", class: "start" }, "Start intervals");
  const yes = h("button", { type: "button", class: "big yes" }, yesWord);
  const no = h("button", { type: "button", class: "big no" }, noWord);
  let scored = new Map();
  let lastIndex = 0;
  let finishedCued = false;
  let control;

  function elapsed(now) {
    const run = ctx.runs.get(key);
    return run ? now - run.started : null;
  }
  function finished(now = Date.now()) {
    const time = elapsed(now);
    return time !== null && time >= length * total;
  }
  // The interval running now (0-based), or -1 when the recorder is stopped.
  function current(now = Date.now()) {
    const time = elapsed(now);
    if (time === null) return -1;
    return Math.min(total - 1, Math.floor(time / length));
  }
  // The last interval that may be scored now: the running one (partial interval) or the last
  // one that has ended (whole interval, momentary time sampling); -1 when none.
  function scorableUpTo(now = Date.now()) {
    const time = elapsed(now);
    if (time === null) return -1;
    if (duringInterval) return current(now);
    return Math.min(total, Math.floor(time / length)) - 1;
  }
  function awaiting(now = Date.now()) {
    const upTo = scorableUpTo(now);
    for (let index = 0; index <= upTo; index += 1) if (!scored.has(index)) return index;
    return null;
  }
  function score(value) {
    const index = awaiting();
    if (index === null) return;
    ctx.record(goal, "interval", { index, scored: value });
  }
  tap(yes, () => score(true));
  tap(no, () => score(false));
  tap(start, () => {
    unlockSound();
    if (ctx.runs.get(key)) {
      ctx.setRun(key, null);
    } else {
      // Starting again resumes at the first interval without a score, not at interval 1.
      let resume = 0;
      while (scored.has(resume)) resume += 1;
      if (resume >= total) return;
      ctx.setRun(key, { started: Date.now() - resume * length });
      finishedCued = false;
    }
    lastIndex = current();
    ctx.rerender(goal);
  });
  control = {
    el: card(
      goal,
      h("div", { class: "row" }, start, status),
      bar,
      h("div", { class: "row" }, yes, no, undoButton(ctx, goal)),
      h("div", { class: "cells" }, cells),
    ),
    render(events) {
      scored = new Map([...lastBy(events, (e) => e.value.index)].map(([i, e]) => [i, e.value.scored]));
      const done = finished();
      const next = awaiting();
      // Every interval has ended and been scored: the recorder's work is over.
      if (done && next === null) ctx.setRun(key, null);
      const run = ctx.runs.get(key);
      const now = current();
      const allScored = !run && scored.size >= total;
      start.textContent = run
        ? "Stop intervals"
        : allScored
          ? "All intervals scored"
          : scored.size
            ? "Resume intervals"
            : "Start intervals";
      start.disabled = allScored;
      cells.forEach((cell, index) => {
        cell.className = "cell";
        if (scored.has(index)) cell.classList.add(scored.get(index) ? "scored" : "unscored");
        if (index === now && run && !done) cell.classList.add("now");
      });
      yes.disabled = no.disabled = next === null;
      yes.dataset.index = no.dataset.index = next ?? "";
      yes.textContent = next === null ? yesWord : `${yesWord} (${next + 1})`;
      no.textContent = next === null ? noWord : `${noWord} (${next + 1})`;
      const k = [...scored.values()].filter(Boolean).length;
      const percent = scored.size ? Math.round((100 * k) / scored.size) : 0;
      const waitForEnd = !duringInterval && next === null ? ` · score interval ${now + 1} when it ends` : "";
      status.textContent = run
        ? done
          ? `All ${total} intervals ended · score interval ${next + 1} · ${percent}%`
          : `Interval ${now + 1} of ${total}${next !== null ? ` · score interval ${next + 1}` : waitForEnd} · ${percent}%`
        : scored.size
          ? `${scored.size} scored · ${percent}%`
          : `${total} intervals of ${seconds(length)}`;
    },
    tick(now) {
      const run = ctx.runs.get(key);
      if (!run) return;
      const time = now - run.started;
      const index = current(now);
      if (time >= length * total) {
        bar.firstChild.style.width = "100%";
        if (!finishedCued) {
          // The last interval has ended: cue it, and let it be scored.
          finishedCued = true;
          lastIndex = index;
          cue(control.el);
          ctx.rerender(goal);
        }
        return;
      }
      bar.firstChild.style.width = `${Math.min(100, ((time % length) / length) * 100)}%`;
      if (index !== lastIndex) {
        lastIndex = index;
        if (index > 0) cue(control.el);
        ctx.rerender(goal);
      }
    },
  };
  lastIndex = current();
  finishedCued = finished();
  return control;
}

function trials(goal, ctx) {
  const targets = targetPicker(goal, ctx);
  const tally = h("p", { class: "tally" });
  const marks = h("div", { class: "marks", "aria-hidden": "true" });
  const buttons = ctx.promptLevels.map((level, i) =>
    tap(
      h("button", {
        type: "button",
        class: i === 0 ? "big correct" : "prompted",
        dataset: { prompt: level.code },
        text: i === 0 ? `✓ ${level.label}` : level.label,
      }),
      () => ctx.record(goal, "trial", { result: "correct", prompt: level.code }, targets.current()),
    ),
  );
  const incorrect = tap(
    h("button", { type: "button", class: "incorrect", text: "✗ Incorrect" }),
    () => ctx.record(goal, "trial", { result: "incorrect", prompt: null }, targets.current()),
  );
  const none = tap(
    h("button", { type: "button", class: "no-response", text: "No response" }),
    () => ctx.record(goal, "trial", { result: "no_response", prompt: null }, targets.current()),
  );
  return {
    el: card(
      goal,
      targets.el,
      h("div", { class: "prompts" }, buttons, incorrect, none),
      h("div", { class: "row" }, tally, undoButton(ctx, goal)),
      marks,
    ),
    render(events) {
      const target = targets.current();
      const mine = target ? events.filter((e) => e.target === target) : events;
      const independent = mine.filter(
        (e) => e.value.result === "correct" && (!e.value.prompt || e.value.prompt === "independent"),
      ).length;
      tally.textContent = mine.length
        ? `${mine.length} trials · ${Math.round((100 * independent) / mine.length)}% independent`
        : "No trials yet";
      marks.replaceChildren(
        ...mine.slice(-12).map((e) =>
          h("span", {
            class: `mark ${e.value.result}`,
            text: e.value.result === "correct" ? (e.value.prompt === "independent" ? "+" : "P") : e.value.result === "incorrect" ? "−" : "○",
          }),
        ),
      );
    },
  };
}

function taskAnalysis(goal, ctx) {
  const rows = goal.settings.steps.map((step, i) => {
    const buttons = ctx.promptLevels.map((level) =>
      tap(
        h("button", {
          type: "button",
          class: "level",
          "aria-pressed": "false",
          "aria-label": `${step}: ${level.label}`,
          dataset: { prompt: level.code },
          text: level.short || level.label,
        }),
        () => ctx.record(goal, "step", { step: i + 1, prompt: level.code }),
      ),
    );
    return { buttons, el: h("li", { class: "step" }, h("span", { class: "step-name", text: step }), h("span", { class: "levels" }, buttons)) };
  });
  const tally = h("p", { class: "tally" });
  return {
    el: card(goal, h("ol", { class: "steps" }, rows.map((r) => r.el)), h("div", { class: "row" }, tally, undoButton(ctx, goal))),
    render(events) {
      const latest = lastBy(events, (e) => e.value.step);
      rows.forEach((row, i) => {
        const chosen = latest.get(i + 1)?.value.prompt;
        for (const button of row.buttons) button.setAttribute("aria-pressed", String(button.dataset.prompt === chosen));
      });
      const independent = [...latest.values()].filter((e) => e.value.prompt === "independent").length;
      tally.textContent = latest.size
        ? `${latest.size} of ${rows.length} steps · ${independent} independent`
        : `${rows.length} steps`;
    },
  };
}

function stepper(label, name) {
  const input = h("input", { type: "number", inputmode: "numeric", min: "0", value: "0", name, "aria-label": label });
  const minus = tap(h("button", { type: "button", class: "step-button", "aria-label": `${label} minus one`, text: "−" }), () => {
    input.value = String(Math.max(0, Number(input.value || 0) - 1));
  });
  const plus = tap(h("button", { type: "button", class: "step-button", "aria-label": `${label} plus one`, text: "+" }), () => {
    input.value = String(Number(input.value || 0) + 1);
  });
  return { input, el: h("label", { class: "stepper" }, h("span", { text: label }), minus, input, plus) };
}

function probe(goal, ctx) {
  const key = `${goal.id}:probe`;
  const length = goal.settings.seconds * 1000;
  const shown = h("span", { class: "timer", text: clock(length) });
  const start = h("button", { type: "button", class: "big" }, "Start probe");
  const score = stepper(goal.settings.unit ? `Score (${goal.settings.unit})` : "Score", "score");
  const errors = stepper("Errors", "errors");
  const save = h("button", { type: "button", class: "save" }, "Save probe");
  const tally = h("p", { class: "tally" });
  let control;
  tap(start, () => {
    unlockSound();
    if (ctx.runs.get(key)) ctx.setRun(key, null);
    else ctx.setRun(key, { started: Date.now() });
    ctx.rerender(goal);
  });
  tap(save, () => {
    const value = { score: Number(score.input.value || 0), errors: Number(errors.input.value || 0) };
    ctx.setRun(key, null);
    ctx.record(goal, "probe", value);
    score.input.value = errors.input.value = "0";
  });
  control = {
    el: card(goal, h("div", { class: "row" }, start, shown), h("div", { class: "row" }, score.el, errors.el), h("div", { class: "row" }, save, undoButton(ctx, goal)), tally),
    render(events) {
      const run = ctx.runs.get(key);
      start.textContent = run ? "Stop probe" : "Start probe";
      if (!run) shown.textContent = clock(length);
      tally.textContent = events.length
        ? `Last: ${events.at(-1).value.score} (${events.at(-1).value.errors} errors) · ${events.length} probe${events.length > 1 ? "s" : ""}`
        : "No probe yet";
    },
    tick(now) {
      const run = ctx.runs.get(key);
      if (!run) return;
      const left = length - (now - run.started);
      shown.textContent = clock(left + 999);
      if (left <= 0) {
        ctx.setRun(key, null);
        shown.textContent = "Time";
        cue(control.el);
        start.textContent = "Start probe";
      }
    },
  };
  return control;
}

function rating(goal, ctx) {
  const rows = goal.settings.rows.map((spec, i) => {
    const row = { row: i + 1, label: spec.label, max: spec.max };
    const buttons = Array.from({ length: row.max + 1 }, (_, points) =>
      tap(
        h("button", { type: "button", class: "points", "aria-pressed": "false", "aria-label": `${row.label}: ${points}`, text: String(points) }),
        () => ctx.record(goal, "rating", { row: row.row, points, max: row.max }),
      ),
    );
    return { row, buttons, el: h("li", { class: "rating-row" }, h("span", { class: "row-name", text: row.label }), h("span", { class: "levels" }, buttons)) };
  });
  const tally = h("p", { class: "tally" });
  return {
    el: card(goal, h("ul", { class: "rating-rows" }, rows.map((r) => r.el)), h("div", { class: "row" }, tally, undoButton(ctx, goal))),
    render(events) {
      const latest = lastBy(events, (e) => e.value.row);
      let points = 0;
      let max = 0;
      for (const { row, buttons } of rows) {
        const chosen = latest.get(row.row)?.value.points;
        buttons.forEach((b, p) => b.setAttribute("aria-pressed", String(p === chosen)));
        if (chosen !== undefined) {
          points += chosen;
          max += row.max;
        }
      }
      tally.textContent = max ? `${points} of ${max} points · ${Math.round((100 * points) / max)}%` : "Not rated yet";
    },
  };
}

// How behavior names are matched (as the server's collect.events.behavior_key): case-folded,
// hyphens, underscores and runs of whitespace read as one space.
export function behaviorKey(text) {
  return text.replace(/[-_]/g, " ").split(/\s+/).filter(Boolean).join(" ").toLowerCase();
}

// Typed behavior text as it is stored: trimmed, whitespace collapsed, and when it names one of
// the offered behaviors (the learner's defined behaviors first) that behavior's own code, so
// "call-out " and "Call-out" are one behavior.
export function typedBehavior(text, options) {
  const tidy = text.split(/\s+/).filter(Boolean).join(" ");
  if (!tidy) return null;
  const key = behaviorKey(tidy);
  const match = options.find((o) => behaviorKey(o.label) === key || behaviorKey(o.code) === key);
  return match ? match.code : tidy;
}

// One-tap ABC: pick from the lists (behaviors: the learner's defined behaviors, then the
// organization's; a second tap on a chip clears it), or type a behavior not listed; add words
// if needed, record. The picks clear after each record, ready for the next.
function abc(goal, ctx) {
  const picks = {};
  const behaviors = ctx.abc.behavior || [];
  const other = h("input", {
    type: "text",
    id: `abc-behavior-${goal.id}`,
    class: "abc-other",
    autocomplete: "off",
    maxlength: "500",
    list: `abc-behaviors-${goal.id}`,
  });
  const groups = ["antecedent", "behavior", "consequence", "setting"].map((kind) => {
    const options = ctx.abc[kind] || [];
    const chips = options.map((option) =>
      tap(
        h("button", { type: "button", class: "chip", "aria-pressed": "false", dataset: { code: option.code }, text: option.label }),
        (event) => {
          picks[kind] = picks[kind] === option.code ? null : option.code;
          for (const chip of chips) chip.setAttribute("aria-pressed", String(chip.dataset.code === picks[kind]));
          if (kind === "behavior") other.value = "";
        },
      ),
    );
    const extra =
      kind === "behavior"
        ? [
            h("label", { for: other.id, class: "abc-other-label", text: "Other behavior (type it)" }),
            other,
            h("datalist", { id: `abc-behaviors-${goal.id}` }, behaviors.map((o) => h("option", { value: o.label }))),
          ]
        : [];
    return {
      kind,
      chips,
      el: h("fieldset", { class: "abc-group" }, h("legend", { text: kind[0].toUpperCase() + kind.slice(1) }), h("div", { class: "chips" }, chips), extra),
    };
  });
  const behaviorChips = groups.find((g) => g.kind === "behavior").chips;
  // Typing a behavior replaces a picked chip.
  other.addEventListener("input", () => {
    if (!other.value.trim()) return;
    picks.behavior = null;
    for (const chip of behaviorChips) chip.setAttribute("aria-pressed", "false");
  });
  const note = h("textarea", { rows: "2", id: `abc-note-${goal.id}` });
  const noteLabel = h("label", { for: note.id, text: "ABC note (optional)" });
  const tally = h("p", { class: "tally" });
  const save = tap(h("button", { type: "button", class: "big save" }, "Record ABC"), () => {
    const typed = typedBehavior(other.value, behaviors);
    const behavior = typed || picks.behavior || null;
    if (!picks.antecedent && !behavior && !picks.consequence) {
      tally.textContent = "Pick an antecedent, a behavior or a consequence first.";
      return;
    }
    const value = {};
    for (const kind of ["antecedent", "behavior", "consequence", "setting"]) value[kind] = picks[kind] || null;
    value.behavior = behavior;
    value.note = note.value.trim();
    ctx.record(goal, "abc", value);
    for (const group of groups) {
      picks[group.kind] = null;
      for (const chip of group.chips) chip.setAttribute("aria-pressed", "false");
    }
    note.value = "";
    other.value = "";
  });
  return {
    el: card(goal, groups.map((g) => g.el), noteLabel, note, h("div", { class: "row" }, save, undoButton(ctx, goal)), tally),
    render(events) {
      tally.textContent = events.length ? `${events.length} ABC record${events.length > 1 ? "s" : ""}` : "";
    },
  };
}

export const CONTROLS = {
  frequency,
  duration,
  latency,
  partial_interval: interval,
  whole_interval: interval,
  momentary_time_sampling: interval,
  trials,
  task_analysis: taskAnalysis,
  probe,
  rating,
  abc,
};
