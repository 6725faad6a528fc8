// The field desk: register, take payments and record deposits with no network; each record goes into the
// outbox on the phone under a key made here, and the outbox is sent through the partner API (/api/v1/sync)
// when there is a signal. The server answers each record (recorded, recorded as a deposit, refused with its
// reason); a refused record stays until the agent corrects and resends it, or drops it. Sending again, or
// after being cut off, records nothing twice: the server keeps every key it has answered.
import { addMonths, parseNik, price } from "./rules.js";
import { clearAll, metaGet, metaSet, recordPut, records } from "./store.js";

const script = document.currentScript || document.querySelector("script[data-sync]");
const config = script.dataset;
const WORDS = JSON.parse(document.getElementById("field-words").textContent);
const $ = (selector) => document.querySelector(selector);
const UNSENT = new Set(["waiting", "sending"]);
const OPEN = new Set(["waiting", "sending", "refused"]);

let data = null; // what the phone took along (rates, occupations, regions, villages, worklist)
let syncing = false;
let signingOut = false; // from the moment the agent confirms: no sync may start, nothing is written

function say(template, values = {}) {
  return template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}

function rupiah(amount) {
  return "Rp" + Number(amount).toLocaleString("id-ID");
}

function notice(text, bad = false) {
  const box = $("#notice");
  box.textContent = text;
  box.classList.toggle("bad", bad);
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

function today() {
  return data ? data.today : new Date().toISOString().slice(0, 10);
}

// -- the data taken along ------------------------------------------------------------------------------

async function dataRefresh() {
  try {
    const response = await fetch(config.data, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.ok && !response.redirected) {
      const fresh = await response.json();
      await metaSet("data", fresh);
      data = fresh;
    }
  } catch (error) {
    // offline: the copy on the phone serves
  }
  data = data || (await metaGet("data")) || null;
  dataShow();
}

function dataShow() {
  $("#data-age").textContent = data ? say(WORDS.data_age, { day: data.today }) : WORDS.no_data;
  if (!data) return;
  const village = $("#r-village");
  if (!village.options.length) {
    village.append(new Option("—", ""));
    for (const one of data.villages) village.append(new Option(`${one.name} (${one.code})`, one.code));
    const occupation = $("#r-occupation");
    occupation.append(new Option("—", ""));
    for (const one of data.occupations) occupation.append(new Option(one.name, one.code));
    const counts = policy().payment_month_counts;
    for (const count of counts) {
      $("#r-months").append(new Option(String(count), String(count)));
      $("#p-months").append(new Option(String(count), String(count)));
    }
  }
  const list = $("#worklist-list");
  list.replaceChildren();
  for (const entry of data.worklist) {
    const item = document.createElement("li");
    item.textContent = `${entry.number} · ${entry.initials} · ${entry.nik} · ${entry.list} · ${entry.paid_through || "–"}`;
    item.dataset.number = entry.number;
    list.append(item);
  }
}

function policy() {
  const month = data.month;
  const policies = data.book.policies.filter((rule) => rule.valid_from <= month);
  return policies[policies.length - 1];
}

function regions() {
  return data ? { provinces: new Set(data.regions.provinces), districts: new Set(data.regions.districts) } : null;
}

// -- quotes ----------------------------------------------------------------------------------------------

function quoteFor(who, months) {
  // The months a payment now would buy, as far as the phone knows: after the worker's paid-through month
  // (at most the policy's arrears back), from this month for one registered on this phone or unknown.
  const month = data.month;
  const listed = data.worklist.find((entry) => entry.number === who || entry.nik === who);
  let first = month;
  let income = 1000000;
  let programmes = "JKK+JKM";
  let known = false;
  if (listed) {
    known = true;
    income = listed.income;
    programmes = listed.programmes;
    if (listed.paid_through) {
      const next = addMonths(listed.paid_through, 1);
      const oldest = addMonths(month, -policy().arrears_months);
      first = next < oldest ? month : next;
    }
  }
  const pending = outboxCache.find((record) => record.kind === "registration" && record.data.nik === who);
  if (pending) {
    known = true;
    income = Number(pending.data.declared_income);
    programmes = pending.data.programmes;
  }
  const quoted = price(data.book, first, months, { income, programmes });
  return { ...quoted, first, known };
}

function quoteText(quoted, months) {
  const text = say(WORDS.quote, { amount: rupiah(quoted.total), months, first: quoted.first });
  return quoted.known ? text : `${text} ${WORDS.quote_unknown}`;
}

// -- the outbox ----------------------------------------------------------------------------------------

let outboxCache = [];

async function outboxShow() {
  if (signingOut) return;
  outboxCache = await records();
  const unsent = outboxCache.filter((record) => UNSENT.has(record.state)).length;
  $("#outbox-count").textContent = unsent ? say(WORDS.unsent, { count: unsent }) : WORDS.all_sent;
  $("#outbox-count").dataset.unsent = String(unsent);
  const list = $("#outbox-list");
  list.replaceChildren();
  for (const record of [...outboxCache].reverse()) {
    const item = document.createElement("li");
    item.dataset.key = record.key;
    item.dataset.state = record.state;
    item.dataset.testid = "outbox-record";
    const who = record.data.name || record.data.nik || record.data.number || "";
    const amount = record.data.amount ? ` · ${rupiah(record.data.amount)}` : "";
    const head = document.createElement("div");
    head.textContent = `${WORDS.kind[record.kind] || record.kind} · ${who}${amount}`;
    const state = document.createElement("div");
    state.className = `state state-${record.state}`;
    state.textContent = WORDS.state[record.state] || record.state;
    item.append(head, state);
    const answer = record.answer;
    if (answer) {
      const lines = [];
      if (answer.participant_number) lines.push(say(WORDS.merged_note, { number: answer.participant_number }));
      if (answer.note) lines.push(answer.note);
      for (const messages of Object.values(answer.messages || {})) lines.push(...messages);
      for (const line of lines) {
        const said = document.createElement("div");
        said.className = "muted";
        said.textContent = line;
        item.append(said);
      }
    }
    if (record.state === "refused") {
      const actions = document.createElement("div");
      actions.className = "actions";
      const edit = document.createElement("button");
      edit.type = "button";
      edit.textContent = WORDS.edit;
      edit.dataset.testid = "record-edit";
      edit.addEventListener("click", () => recordEdit(record));
      const drop = document.createElement("button");
      drop.type = "button";
      drop.className = "light";
      drop.textContent = WORDS.drop;
      drop.dataset.testid = "record-drop";
      drop.addEventListener("click", () => recordDrop(record));
      actions.append(edit, drop);
      item.append(actions);
    }
    list.append(item);
  }
}

async function outboxAdd(kind, recordData, replaces = "") {
  const record = {
    key: newKey(),
    kind,
    made: Date.now(),
    made_at: new Date().toISOString(),
    data: recordData,
    state: "waiting",
    replaces,
  };
  await recordPut(record);
  await outboxShow();
  return record;
}

async function recordDrop(record) {
  if (!window.confirm(WORDS.dropping)) return;
  record.state = "dropped";
  await recordPut(record);
  await outboxAdd("drop", {}, record.key);
  await outboxSync();
}

let editing = null;

function recordEdit(record) {
  editing = record;
  const form = record.kind === "registration" ? "register" : record.kind === "payment" ? "pay" : "deposit";
  tabShow(form);
  const fields = $(`#${form}`).elements;
  for (const [name, value] of Object.entries(record.data)) {
    if (name === "nik" || name === "number") {
      if (fields.who) fields.who.value = value;
      if (fields.nik) fields.nik.value = value;
    } else if (fields[name] && fields[name].type !== "radio") {
      fields[name].value = value;
    } else if (name === "sex") {
      for (const radio of fields.sex) radio.checked = radio.value === value;
    }
  }
}

async function saved(kind, recordData) {
  const replaces = editing ? editing.key : "";
  if (editing) {
    editing.state = "dropped"; // resent under a new key: the server resolves the refused one
    await recordPut(editing);
    editing = null;
  }
  await outboxAdd(kind, recordData, replaces);
  notice(WORDS.saved);
  if (navigator.onLine) outboxSync();
}

export async function outboxSync() {
  if (syncing || signingOut) return;
  let deviceKey;
  let pending;
  try {
    deviceKey = await metaGet("device");
    pending = (await records()).filter((record) => UNSENT.has(record.state));
  } catch (error) {
    return; // the phone's data was cleared meanwhile (signed out)
  }
  if (!deviceKey || !pending.length) return;
  syncing = true;
  try {
    for (const record of pending) {
      record.state = "sending";
      await recordPut(record);
    }
    await outboxShow();
    const body = {
      records: pending.map((record) => ({
        key: record.key,
        kind: record.kind,
        made_at: record.made_at,
        replaces: record.replaces || "",
        data: record.data,
      })),
    };
    const response = await fetch(config.sync, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${deviceKey.token}` },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`sync answered ${response.status}`);
    const answers = (await response.json()).records;
    let recorded = 0;
    let refused = 0;
    for (const answer of answers) {
      const record = pending.find((one) => one.key === answer.key);
      if (!record) continue;
      record.state = answer.state;
      record.answer = answer;
      if (answer.state === "refused") refused += 1;
      else recorded += 1;
      await recordPut(record);
    }
    notice(say(WORDS.sent, { recorded, refused }), refused > 0);
  } catch (error) {
    // Cut off: the records stay "being sent" and go again next time; the server answers the ones it got
    // from what it kept, so nothing is recorded twice.
    notice(WORDS.send_failed, true);
  } finally {
    syncing = false;
    await outboxShow();
  }
}

// -- the forms -----------------------------------------------------------------------------------------

function missing(form, names) {
  const empty = names.filter((name) => !String(form.elements[name].value || "").trim());
  return empty.map((name) => form.querySelector(`label[for="${form.elements[name].id}"]`)?.textContent || name);
}

function whoFields(text) {
  const who = String(text || "").replace(/[\s.\-]+/g, "");
  if (/^[0-9]{16}$/.test(who)) return { nik: who };
  if (/^[0-9]{11}$/.test(who)) return { number: who };
  return null;
}

function nikSaid() {
  const form = $("#register");
  const text = form.elements.nik.value;
  if (!text.trim()) {
    $("#r-nik-said").textContent = "";
    return null;
  }
  const sex = form.querySelector("input[name=sex]:checked")?.value || null;
  const read = parseNik(text, {
    regions: regions(),
    declaredBirthDate: form.elements.birth_date.value || null,
    declaredSex: sex,
    today: today(),
  });
  const said = read.problems.map((problem) => WORDS.nik[problem.code] || problem.code);
  if (read.valid && !said.length) {
    said.push(say(WORDS.nik_ok, { day: read.birthDate, sex: read.sex === "F" ? WORDS.female : WORDS.male }));
  }
  $("#r-nik-said").textContent = said.join(" ");
  $("#r-nik-said").className = `said ${read.valid ? (read.problems.length ? "warn" : "good") : "bad"}`;
  if (read.valid && read.birthDate && !form.elements.birth_date.value) form.elements.birth_date.value = read.birthDate;
  return read;
}

function registerQuote() {
  const form = $("#register");
  const months = Number(form.elements.months.value);
  if (!data || !months) {
    $("#r-quote").textContent = "";
    return null;
  }
  const quoted = price(data.book, data.month, months, {
    income: Number(form.elements.declared_income.value) || 0,
    programmes: form.elements.programmes.value,
  });
  quoted.first = data.month;
  quoted.known = true;
  $("#r-quote").textContent = quoteText(quoted, months);
  return quoted;
}

async function registerSave(event) {
  event.preventDefault();
  const form = event.target;
  const absent = missing(form, ["nik", "name", "birth_date", "village_code", "occupation", "declared_income"]);
  const errors = [];
  if (absent.length) errors.push(say(WORDS.required, { fields: absent.join(", ") }));
  const read = nikSaid();
  if (read && !read.valid) errors.push($("#r-nik-said").textContent);
  $("#r-errors").textContent = errors.join(" ");
  if (errors.length) return;
  const registration = {
    nik: read.nik,
    name: form.elements.name.value.trim(),
    birth_date: form.elements.birth_date.value,
    sex: form.querySelector("input[name=sex]:checked").value,
    phone: form.elements.phone.value.trim(),
    village_code: form.elements.village_code.value,
    occupation: form.elements.occupation.value,
    declared_income: Number(form.elements.declared_income.value),
    programmes: form.elements.programmes.value,
  };
  const quoted = registerQuote();
  await saved("registration", registration);
  if (quoted) {
    await outboxAdd("payment", {
      nik: registration.nik,
      birth_date: registration.birth_date,
      months: Number(form.elements.months.value),
      amount: quoted.total,
    });
    if (navigator.onLine) outboxSync();
  }
  form.reset();
  $("#r-nik-said").textContent = "";
  $("#r-quote").textContent = "";
}

function payQuote() {
  const form = $("#pay");
  const who = whoFields(form.elements.who.value);
  if (!data || !who) {
    $("#p-quote").textContent = "";
    return null;
  }
  const months = Number(form.elements.months.value) || 1;
  const quoted = quoteFor(who.nik || who.number, months);
  $("#p-quote").textContent = quoteText(quoted, months);
  return quoted;
}

async function paySave(event) {
  event.preventDefault();
  const form = event.target;
  const who = whoFields(form.elements.who.value);
  const errors = [];
  if (!who) errors.push(WORDS.who_invalid);
  const absent = missing(form, ["birth_date"]);
  if (absent.length) errors.push(say(WORDS.required, { fields: absent.join(", ") }));
  $("#p-errors").textContent = errors.join(" ");
  if (errors.length) return;
  const quoted = payQuote();
  await saved("payment", {
    ...who,
    birth_date: form.elements.birth_date.value,
    months: Number(form.elements.months.value) || 1,
    amount: quoted.total,
  });
  form.reset();
  $("#p-quote").textContent = "";
}

async function depositSave(event) {
  event.preventDefault();
  const form = event.target;
  const who = whoFields(form.elements.who.value);
  const amount = Number(String(form.elements.amount.value).replace(/[.\s]/g, ""));
  const errors = [];
  if (!who) errors.push(WORDS.who_invalid);
  if (!Number.isInteger(amount) || amount <= 0) errors.push(WORDS.amount_invalid);
  const absent = missing(form, ["birth_date"]);
  if (absent.length) errors.push(say(WORDS.required, { fields: absent.join(", ") }));
  $("#d-errors").textContent = errors.join(" ");
  if (errors.length) return;
  await saved("deposit", { ...who, birth_date: form.elements.birth_date.value, amount });
  form.reset();
}

// -- the page --------------------------------------------------------------------------------------------

function tabShow(name) {
  for (const tab of document.querySelectorAll(".tab")) tab.hidden = tab.id !== name;
  for (const button of document.querySelectorAll("[data-tab]")) {
    button.setAttribute("aria-selected", String(button.dataset.tab === name));
  }
  notice("");
}

function networkShow() {
  const pill = $("#network");
  pill.textContent = navigator.onLine ? WORDS.online : WORDS.offline;
  pill.classList.toggle("offline", !navigator.onLine);
}

async function enrol(event) {
  event.preventDefault();
  const body = new FormData(event.target);
  try {
    const response = await fetch(config.enrol, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": config.csrf },
      body,
    });
    const answer = await response.json();
    if (!response.ok) {
      $("#enrol-error").textContent = Object.values(answer.errors || {}).flat().join(" ") || WORDS.enrol_failed;
      return;
    }
    await metaSet("device", { token: answer.token, name: answer.name, agent: config.agent });
    await start();
  } catch (error) {
    $("#enrol-error").textContent = WORDS.enrol_failed;
  }
}

async function signOut(event) {
  event.preventDefault(); // before any await: the form must not go while the outbox is read
  const form = event.target;
  const unsent = (await records()).filter((record) => OPEN.has(record.state)).length;
  if (unsent && !window.confirm(say(WORDS.signout_unsent, { count: unsent }))) return;
  signingOut = true;
  await clearAll();
  if (window.caches) for (const name of await caches.keys()) await caches.delete(name);
  form.submit();
}

async function start() {
  const device = await metaGet("device");
  const agentChanged = device && device.agent !== config.agent;
  if (!device || agentChanged) {
    $("#enrol").hidden = false;
    $("#desk").hidden = true;
    return;
  }
  $("#enrol").hidden = true;
  $("#desk").hidden = false;
  await dataRefresh();
  await outboxShow();
  tabShow("register");
  document.body.dataset.ready = "true";
  if (navigator.onLine) outboxSync();
}

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(config.sw, { scope: "/desk/field/" }).catch(() => {});
}
for (const button of document.querySelectorAll("[data-tab]")) {
  button.addEventListener("click", () => tabShow(button.dataset.tab));
}
$("#enrol-form").addEventListener("submit", enrol);
$("#register").addEventListener("submit", registerSave);
$("#pay").addEventListener("submit", paySave);
$("#deposit").addEventListener("submit", depositSave);
$("#signout").addEventListener("submit", signOut);
$("#sync").addEventListener("click", () => outboxSync());
$("#r-nik").addEventListener("input", nikSaid);
$("#r-birth").addEventListener("change", nikSaid);
for (const name of ["months", "declared_income", "programmes"]) {
  $("#register").elements[name].addEventListener("change", registerQuote);
}
$("#p-who").addEventListener("input", payQuote);
$("#p-months").addEventListener("change", payQuote);
window.addEventListener("online", () => {
  networkShow();
  outboxSync();
});
window.addEventListener("offline", networkShow);
networkShow();
start();
