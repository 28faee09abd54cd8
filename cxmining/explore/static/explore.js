// cxmining explore: hash routes over the JSON API. Everything from data goes into the page as text (textContent,
// cytoscape labels), never as HTML.

const FILTERS = ["type", "product", "channel", "from", "to"];
const MAX_DEFAULT_ACTIVITIES = 12; // the map opens on at most this many activities: readable on a varied store
const view = document.getElementById("view");
let overview = null;

// ---- small DOM helpers: text only ----
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}
const count = (n) => (n === null || n === undefined ? "–" : Math.round(n).toLocaleString("en"));
const rate = (x) => (x === null || x === undefined ? "–"
  : x.toLocaleString("en", { maximumFractionDigits: Math.abs(x) < 100 ? 1 : 0, minimumFractionDigits: Math.abs(x) < 100 ? 1 : 0 }));
const share = (x) => (x === null || x === undefined ? "–" : `${(100 * x).toFixed(1)}%`);
function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const s = Math.abs(seconds);
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${(s / 60).toFixed(s < 600 ? 1 : 0)} min`;
  if (s < 86400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}
const when = (iso) => (iso ? `${iso.replace("T", " ").slice(0, 16)} UTC` : "–");

function route() {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query = ""] = hash.split("?");
  return { path, params: new URLSearchParams(query) };
}
function hashFor(path, params) {
  const query = new URLSearchParams([...params].filter(([, v]) => v !== "")).toString();
  return `#${path}${query ? "?" + query : ""}`;
}
function filtersOf(params) {
  return new URLSearchParams(FILTERS.filter((k) => params.get(k)).map((k) => [k, params.get(k)]));
}
function withFilters(extra, params) {
  const merged = filtersOf(params);
  for (const [k, v] of Object.entries(extra)) merged.set(k, v);
  return merged;
}

async function api(path, params = new URLSearchParams()) {
  const query = params.toString();
  const response = await fetch(`/api/${path}${query ? "?" + query : ""}`);
  const body = await response.json();
  if (!response.ok) throw Object.assign(new Error(body.error || response.statusText), { missing: !!body.missing });
  return body;
}

function problem(error) {
  return el("p", { class: error.missing ? "note" : "error", text: error.message });
}

// ---- filters bar ----
const form = document.getElementById("filters");
function showFilters(params) {
  for (const name of FILTERS) form.elements[name].value = params.get(name) || "";
}
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const { path, params } = route();
  for (const name of FILTERS) params.set(name, form.elements[name].value.trim());
  params.delete("page");
  location.hash = hashFor(path === "/" ? "/variants" : path, params);
});
document.getElementById("clear").addEventListener("click", () => {
  const { path, params } = route();
  for (const name of FILTERS) params.delete(name);
  location.hash = hashFor(path, params);
});

// ---- landing page ----
const ENTRY_VIEWS = {
  deviations: {
    title: "Top deviations from the designed model",
    columns: ["Deviation", "Activity", "Where in the design", "Journeys"],
    cells: (r) => [r.deviation_type, r.activity, `after ${r.after_step ?? "the start"}, before ${r.before_step ?? "the end"}`,
                   count(r.journeys)],
    link: (r) => ({ deviation: r.deviation_type, activity: r.activity }),
    texts: 2, // columns before the numbers
  },
  causes: {
    title: "Failure-demand causes",
    columns: ["Cause", "Contacts", "Calls", "Journeys"],
    cells: (r) => [r.cause, count(r.contacts), count(r.calls), count(r.journeys)],
    link: (r) => ({ cause: r.cause }),
  },
  products: {
    title: "Products flagged for their descriptions",
    columns: ["Product", "Name", "Info calls", "Excess calls"],
    cells: (r) => [r.product_id, r.name, count(r.info_calls), count(r.excess_calls)],
    link: (r) => ({ product: r.product_id }),
  },
  targets: {
    title: "Avoidable-calls targets",
    columns: ["Target", "Cause", "Calls", "Avoidable calls a month"],
    cells: (r) => [r.target, r.cause, count(r.calls), rate(r.calls_per_month)],
    link: (r) => ({ target: r.target }),
  },
  days: {
    title: "Order days flagged for where-is-my-order calls",
    columns: ["Order day", "Orders", "Calls", "Expected"],
    cells: (r) => [r.order_day, count(r.orders), count(r.order_status_calls), count(r.expected_calls)],
    link: (r) => ({ day: r.order_day }),
  },
  ivr_paths: {
    title: "IVR paths flagged for transfers or repeat calls",
    columns: ["IVR path", "Reasons", "Calls", "Excess transfers"],
    cells: (r) => [r.ivr_path, (r.reason_codes || []).join(", "), count(r.calls), count(r.excess_transfers)],
    link: (r) => ({ ivr_path: r.ivr_path }),
  },
};

function entryCard(name, entry, params) {
  const spec = ENTRY_VIEWS[name];
  const card = el("section", { class: "card", id: `entry-${name}` }, el("h2", { text: spec.title }));
  if (entry.missing) return card.appendChild(el("p", { class: "note", text: entry.missing })) && card;
  if (!entry.rows.length) return card.appendChild(el("p", { class: "note", text: "None flagged in this store." })) && card;
  const table = el("table", {}, el("tr", {}, ...spec.columns.map((c, i) => el("th", { class: i > (spec.texts || 1) ? "num" : "", text: c }))));
  for (const row of entry.rows) {
    const cells = spec.cells(row).map((value, i) => el("td", { class: i > (spec.texts || 1) ? "num" : "" }, value ?? "–"));
    const link = el("a", { href: hashFor("/journeys", withFilters(spec.link(row), params)) });
    link.textContent = cells[0].textContent;
    cells[0].replaceChildren(link);
    table.append(el("tr", {}, ...cells));
  }
  card.append(table);
  return card;
}

async function showHome(params) {
  const data = overview;
  const types = data.journey_types.map((t) => `${count(t.journeys)} ${t.journey_type}`).join(", ");
  const first = data.journey_types.map((t) => t.first_day).sort()[0];
  const last = data.journey_types.map((t) => t.last_day).sort().slice(-1)[0];
  view.replaceChildren(
    el("h1", { text: "Where to look" }),
    el("p", { class: "muted", text: `Journeys: ${types}; started ${first || "–"} to ${last || "–"}. ` +
      "Click a row to list its journeys; each journey opens its timeline." }),
    el("div", { class: "cards" }, ...Object.entries(data.entries).map(([name, entry]) => entryCard(name, entry, params))),
  );
}

// ---- process map ----
let cy = null;
function keptGraph(data, activityPct, pathPct) {
  const activities = [...data.activities].sort((a, b) => b.events - a.events || a.activity.localeCompare(b.activity));
  const keepCount = Math.max(1, Math.ceil((activities.length * activityPct) / 100));
  const kept = new Set(activities.slice(0, keepCount).map((a) => a.activity));
  const inside = data.paths.filter((p) => (p.source === null || kept.has(p.source)) && (p.target === null || kept.has(p.target)));
  inside.sort((a, b) => b.frequency - a.frequency);
  const chosen = new Set(inside.slice(0, Math.max(1, Math.ceil((inside.length * pathPct) / 100))));
  // each kept activity keeps its strongest way in and out, so nothing floats unconnected (as Disco does)
  for (const activity of kept) {
    const into = inside.find((p) => p.target === activity);
    const out = inside.find((p) => p.source === activity);
    if (into) chosen.add(into);
    if (out) chosen.add(out);
  }
  return { activities: activities.filter((a) => kept.has(a.activity)), paths: inside.filter((p) => chosen.has(p)) };
}

function drawMap(data, activityPct, pathPct, params, counter) {
  const graph = keptGraph(data, activityPct, pathPct);
  const maxEvents = Math.max(1, ...graph.activities.map((a) => a.events));
  const maxPath = Math.max(1, ...graph.paths.map((p) => p.frequency));
  const elements = [
    { data: { id: "n:start", label: "start", kind: "terminal" } },
    { data: { id: "n:end", label: "end", kind: "terminal" } },
    ...graph.activities.map((a) => ({
      data: { id: `a:${a.activity}`, activity: a.activity, label: `${a.activity}\n${count(a.events)}`,
              weight: a.events / maxEvents, kind: "activity" },
    })),
    ...graph.paths.map((p, i) => ({
      data: {
        id: `p:${i}`, source: p.source === null ? "n:start" : `a:${p.source}`,
        target: p.target === null ? "n:end" : `a:${p.target}`,
        from: p.source, to: p.target, weight: p.frequency / maxPath,
        label: p.source === null || p.target === null || p.mean_seconds === null
          ? count(p.frequency) : `${count(p.frequency)} · ${duration(p.mean_seconds)}`,
      },
    })),
  ];
  if (cy) cy.destroy();
  cy = cytoscape({
    container: document.getElementById("map"),
    elements,
    wheelSensitivity: 0.3,
    style: [
      { selector: "node[kind='activity']", style: {
        shape: "round-rectangle", label: "data(label)", "text-wrap": "wrap", "text-max-width": 190,
        "text-valign": "center", "font-size": 15, color: "#102a43", width: 210, height: 48,
        "background-color": "mapData(weight, 0, 1, #dbeafe, #3b82f6)", "border-width": 1, "border-color": "#1e3a8a" } },
      { selector: "node[kind='terminal']", style: {
        shape: "ellipse", label: "data(label)", "font-size": 11, width: 36, height: 36, "text-valign": "center",
        "background-color": "#e5e7eb", "border-width": 1, "border-color": "#6b7280" } },
      { selector: "edge", style: {
        "curve-style": "bezier", "target-arrow-shape": "triangle", "arrow-scale": 0.9,
        width: "mapData(weight, 0, 1, 1, 8)", "line-color": "mapData(weight, 0, 1, #b8c4d2, #334e68)",
        "target-arrow-color": "mapData(weight, 0, 1, #b8c4d2, #334e68)", label: "data(label)", "font-size": 13,
        color: "#334e68", "text-background-color": "#ffffff", "text-background-opacity": 0.85,
        "text-background-padding": 2 } },
      // a path from a step to itself (a repeat: View product again) drawn as a loop beside the box
      { selector: "edge:loop", style: {
        "curve-style": "bezier", "loop-direction": "90deg", "loop-sweep": "-50deg", "control-point-step-size": 70,
        "text-margin-x": 40 } },
    ],
    layout: { name: "dagre", rankDir: "TB", nodeSep: 30, rankSep: 45, edgeSep: 10 },
  });
  cy.on("tap", "node[kind='activity']", (event) => {
    location.hash = hashFor("/journeys", withFilters({ step: event.target.data("activity") }, params));
  });
  cy.on("tap", "edge", (event) => {
    const { from, to } = event.target.data();
    if (from !== null && to !== null) location.hash = hashFor("/journeys", withFilters({ path_from: from, path_to: to }, params));
  });
  counter.textContent = `${graph.activities.length} of ${data.activities.length} activities, ` +
    `${graph.paths.length} of ${data.paths.length} paths shown (${count(data.journeys)} journeys)`;
  counter.dataset.nodes = String(graph.activities.length);
  counter.dataset.paths = String(graph.paths.length);
}

async function showMap(params) {
  view.replaceChildren(el("p", { class: "muted", text: "Loading the map…" }));
  const data = await api("map", filtersOf(params));
  const n = data.activities.length;
  const defaultPct = n ? Math.min(100, Math.floor((100 * MAX_DEFAULT_ACTIVITIES) / n)) : 100;
  const activitySlider = el("input", { type: "range", min: "1", max: "100", value: String(defaultPct), id: "activity-slider" });
  const pathSlider = el("input", { type: "range", min: "1", max: "100", value: "30", id: "path-slider" });
  const activityValue = el("b", { text: `${activitySlider.value}%` });
  const pathValue = el("b", { text: `${pathSlider.value}%` });
  const counter = el("p", { class: "muted", id: "map-count" });
  view.replaceChildren(
    el("h1", { text: "Process map" }),
    el("div", { id: "map-wrap" },
      el("div", { id: "map" }),
      el("div", { class: "controls" },
        el("label", {}, "Activities: ", activityValue, activitySlider,
           el("span", { class: "muted", text: " the most frequent share of activities" })),
        el("label", {}, "Paths: ", pathValue, pathSlider,
           el("span", { class: "muted", text: " the most frequent share of paths between them" })),
        counter,
        el("p", { class: "muted", text: "Scroll to zoom, drag to pan. Click an activity or a path for its journeys. " +
          "Labels: events; on paths, how often one step directly follows the other (a journey may do so more than once) · mean time between them." }))),
  );
  if (!n) { counter.textContent = "No journeys match the filters."; counter.dataset.nodes = "0"; return; }
  const redraw = () => {
    activityValue.textContent = `${activitySlider.value}%`;
    pathValue.textContent = `${pathSlider.value}%`;
    drawMap(data, Number(activitySlider.value), Number(pathSlider.value), params, counter);
  };
  activitySlider.addEventListener("input", redraw);
  pathSlider.addEventListener("input", redraw);
  redraw();
}

// ---- variants ----
const VARIANT_COLUMNS = [
  ["rank", "#", "num"], ["variant", "Variant", ""], ["steps", "Steps", "num"], ["journeys", "Journeys", "num"],
  ["share", "Share", "num"], ["duration", "Mean duration", "num"], ["fitness", "Fitness", "num"],
];
function chain(activities) {
  const shown = activities.slice(0, 14).map((a) => el("span", { class: "step", text: a }));
  if (activities.length > 14) shown.push(el("span", { class: "muted", text: ` … ${activities.length - 14} more` }));
  return el("div", { class: "chain", title: activities.join(" → ") }, ...shown);
}
function pager(page, size, total, params, path) {
  const pages = Math.max(1, Math.ceil(total / size));
  const go = (p) => { const next = new URLSearchParams(params); next.set("page", String(p)); return hashFor(path, next); };
  return el("div", { class: "pager" },
    page > 1 ? el("a", { href: go(page - 1), text: "← previous" }) : null,
    el("span", { class: "muted", text: `page ${page} of ${pages}` }),
    page < pages ? el("a", { href: go(page + 1), text: "next →", id: "next-page" }) : null);
}

async function showVariants(params) {
  const data = await api("variants", params);
  const head = el("tr", {}, ...VARIANT_COLUMNS.map(([key, label, cls]) => {
    const mark = data.sort === key ? (data.order === "asc" ? " ▲" : " ▼") : "";
    return el("th", { class: `sortable ${cls}`, "data-sort": key, text: label + mark, onclick: () => {
      const next = new URLSearchParams(params);
      next.set("sort", key);
      next.set("order", data.sort === key && data.order === "desc" ? "asc" : data.sort === key ? "desc" : "");
      next.delete("page");
      location.hash = hashFor("/variants", next);
    } });
  }));
  const table = el("table", { id: "variants" }, head);
  for (const v of data.variants) {
    const fitness = v.checked ? (v.fitness === null ? "timed out" : v.fitness.toFixed(3)) : "not checked";
    table.append(el("tr", { class: "link", "data-variant": String(v.variant_id),
      onclick: () => { location.hash = hashFor("/journeys", withFilters({ variant: v.variant_id }, params)); } },
      el("td", { class: "num", text: String(v.rank) }), el("td", {}, chain(v.activities)),
      el("td", { class: "num", text: String(v.steps) }), el("td", { class: "num", text: count(v.journeys) }),
      el("td", { class: "num", text: share(v.share) }), el("td", { class: "num", text: duration(v.mean_duration_seconds) }),
      el("td", { class: "num", text: fitness })));
  }
  view.replaceChildren(
    el("h1", { text: "Variants" }),
    el("p", { class: "muted", id: "variant-summary", "data-journeys": String(data.journeys),
      text: `${count(data.variants_total)} variants of ${count(data.journeys)} journeys. ` +
        (data.conformance ? "Fitness: conformance with the designed model ('not checked': outside its scope)."
                          : "Fitness: not checked (conformance has not run on this store).") }),
    table, pager(data.page, data.size, data.variants_total, params, "/variants"));
}

// ---- journeys ----
function drillText(params) {
  if (params.get("variant")) return `following variant ${params.get("variant")}`;
  if (params.get("deviation")) return `showing the deviation “${params.get("deviation")}: ${params.get("activity")}” (anywhere in the journey)`;
  if (params.get("cause")) return `with a contact of cause “${params.get("cause")}”`;
  if (params.get("target")) return `with a call counted under “${params.get("target")}”`;
  if (params.get("day")) return `of orders placed on ${params.get("day")} with a where-is-my-order call`;
  if (params.get("ivr_path")) return `with a call through IVR path “${params.get("ivr_path")}”`;
  if (params.get("step")) return `with the step “${params.get("step")}”`;
  if (params.get("path_from")) return `where “${params.get("path_to")}” directly follows “${params.get("path_from")}”`;
  return "";
}
async function showJourneys(params) {
  const data = await api("journeys", params);
  const table = el("table", { id: "journeys" }, el("tr", {}, ...["Journey", "Type", "Started", "Duration", "Events", "Calls", "Variant"]
    .map((c, i) => el("th", { class: i > 2 ? "num" : "", text: c }))));
  for (const j of data.journeys) {
    const target = params.get("target");  // the timeline marks the calls counted under the target drilled from
    const link = el("a", { href: `#/journey/${encodeURIComponent(j.journey_id)}${target ? "?" + new URLSearchParams({ target }) : ""}`,
                           text: j.journey_id });
    table.append(el("tr", {}, el("td", {}, link), el("td", { text: j.journey_type }), el("td", { text: when(j.start_ts) }),
      el("td", { class: "num", text: duration(j.duration_seconds) }), el("td", { class: "num", text: count(j.events) }),
      el("td", { class: "num", text: count(j.calls) }), el("td", { class: "num", text: j.variant_id ?? "–" })));
  }
  view.replaceChildren(
    el("h1", { text: "Journeys" }),
    el("p", { class: "muted", id: "journey-summary", "data-journeys": String(data.journeys_total),
      text: `${count(data.journeys_total)} journeys ${drillText(params)}, earliest first.` }),
    table, pager(data.page, data.size, data.journeys_total, params, "/journeys"));
}

// ---- one journey ----
async function showJourney(journeyId, params) {
  const target = params.get("target");
  const data = await api(`journey/${encodeURIComponent(journeyId)}`);
  const j = data.journey;
  const facts = el("dl", { class: "facts" });
  for (const [label, value] of [["Type", j.journey_type], ["Started", when(j.start_ts)], ["Ended", when(j.end_ts)],
    ["Duration", duration(j.duration_seconds)], ["Events", count(j.events)], ["Calls", count(j.calls)]]) {
    facts.append(el("dt", { text: label }), el("dd", { text: value }));
  }
  facts.append(el("dt", { text: "Variant" }), el("dd", {}, j.variant_id === null ? "–"
    : el("a", { href: hashFor("/journeys", new URLSearchParams({ variant: j.variant_id })), text: `${j.variant_id} (its journeys)` })));
  const list = el("ol", { class: "timeline", id: "timeline" });
  for (const s of data.steps) {
    const details = [];
    if (s.reason_code) details.push(`reason ${s.reason_code}`);
    if (s.ivr_path) details.push(`IVR ${s.ivr_path}`);
    if (s.outcome) details.push(`outcome ${s.outcome}`);
    if (s.product_id) details.push(`product ${s.product_id}`);
    const label = s.demand ? el("span", { class: `tag ${s.demand}`, text: `${s.demand} demand${s.cause ? ": " + s.cause : ""}` }) : null;
    const counted = s.counted_under ? el("span", { class: `tag counted${s.counted_under === target ? " drilled" : ""}`,
                                                   text: `counted under: ${s.counted_under}` }) : null;
    list.append(el("li", { class: `${s.channel || ""}${target && s.counted_under === target ? " drilled" : ""}` },
      el("span", { text: when(s.ts) }), el("span", { class: "muted", text: `+${duration(s.seconds_since_start)}` }),
      el("span", {}, el("span", { class: "activity", text: s.activity }), " ",
        el("span", { class: "tag", text: s.channel || "–" }), el("span", { class: "tag", text: s.lane || "–" }), label, counted),
      details.length ? el("span", { class: "detail", text: details.join(" · ") }) : null));
  }
  const note = target ? el("p", { class: "muted", id: "drilled-from",
    text: `Highlighted: the calls counted under “${target}”, the target you came from.` }) : null;
  view.replaceChildren(...[el("h1", { text: `Journey ${j.journey_id}` }), facts, note, list].filter(Boolean));
}

// ---- router ----
async function render() {
  const { path, params } = route();
  showFilters(params);
  const name = path.startsWith("/journey/") ? "journey" : (path.replace(/^\//, "") || "home");
  for (const link of document.querySelectorAll("header nav a")) link.classList.toggle("active", link.dataset.view === name);
  try {
    if (!overview) {
      overview = await api("overview");
      document.getElementById("source").textContent = `reading ${overview.source}`;
      for (const t of overview.journey_types) form.elements.type.append(el("option", { value: t.journey_type, text: t.journey_type }));
      for (const c of overview.channels) form.elements.channel.append(el("option", { value: c, text: c }));
      showFilters(params);
    }
    if (name === "home") await showHome(params);
    else if (name === "map") await showMap(params);
    else if (name === "variants") await showVariants(params);
    else if (name === "journeys") await showJourneys(params);
    else if (name === "journey") await showJourney(decodeURIComponent(path.slice("/journey/".length)), params);
    else view.replaceChildren(el("p", { class: "error", text: `No such view: ${path}` }));
  } catch (error) {
    view.replaceChildren(problem(error));
  }
  document.body.dataset.ready = name;
}
window.addEventListener("hashchange", render);
render();
