// What the field desk keeps on the phone, in IndexedDB (through idb): the phone's credential and the data
// it took along ("meta"), and the outbox. Records are never deleted before they are sent and answered;
// signing out clears everything (the page warns first when something is not sent).
import { deleteDB, openDB } from "./vendor/idb.js";

const NAME = "jaring-field";
let opened = null; // one connection per page: deleting the database waits for every open one to close
let cleared = false; // signed out: nothing may open (and so create again) the database on this page

function database() {
  if (cleared) return Promise.reject(new Error("signed out: the phone's data is cleared"));
  if (!opened) {
    opened = openDB(NAME, 1, {
      upgrade(db) {
        db.createObjectStore("meta");
        const outbox = db.createObjectStore("outbox", { keyPath: "key" });
        outbox.createIndex("made", "made");
      },
      blocking() {
        // another page (a second tab signing out) wants the database gone: let it
        opened?.then((db) => db.close());
        opened = null;
      },
    });
  }
  return opened;
}

export async function metaGet(name) {
  return (await database()).get("meta", name);
}

export async function metaSet(name, value) {
  return (await database()).put("meta", value, name);
}

export async function recordPut(record) {
  return (await database()).put("outbox", record);
}

export async function records() {
  return (await database()).getAllFromIndex("outbox", "made");
}

export async function clearAll() {
  cleared = true;
  if (opened) (await opened).close();
  opened = null;
  await deleteDB(NAME);
}
