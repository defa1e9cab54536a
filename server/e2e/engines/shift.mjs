// The offline shift in Firefox (WebDriver BiDi, through puppeteer-core) or
// WebKitGTK (W3C WebDriver over HTTP, WebKitWebDriver + MiniBrowser).
// server/e2e/engines_test.go runs it: it starts the server, reads this
// script's stdout, and answers the lines "@@ stop-server" and
// "@@ start-server" on stdin with "ok" once done, so that the server is
// really gone (killed) while the phone works offline. Every other line is
// a log line. Exit status 0 means every step held; the Go test then checks
// the server's records.
//
// Usage: node shift.mjs --engine firefox|webkit --url http://127.0.0.1:P
//        [--profile DIR] [--firefox PATH] [--webdriver http://127.0.0.1:Q]
//        [--minibrowser PATH]
import { createInterface } from "node:readline";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith("--")) acc.push([a.slice(2), all[i + 1]]);
    return acc;
  }, [])
);
const base = args.url.replace(/\/$/, "");
const log = (...m) => console.log(`[${args.engine}]`, ...m);

// The Go side answers each "@@" line on stdin.
const stdin = createInterface({ input: process.stdin });
const replies = [];
const waiting = [];
stdin.on("line", (l) => (waiting.length ? waiting.shift()(l) : replies.push(l)));
function ask(cmd) {
  console.log("@@ " + cmd);
  return new Promise((res) => (replies.length ? res(replies.shift()) : waiting.push(res)));
}

const sel = (testid) => `[data-testid="${testid}"]`;

// ---------------------------------------------------------------------------
// Firefox: puppeteer-core over WebDriver BiDi.
async function firefox() {
  const { default: puppeteer } = await import("puppeteer-core");
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: args.firefox || "/usr/bin/firefox-esr",
    headless: true,
    userDataDir: args.profile,
    defaultViewport: { width: 390, height: 844 },
    protocolTimeout: 180000,
  });
  const page = (await browser.pages())[0] || (await browser.newPage());
  page.on("console", (m) => log("console." + m.type() + ":", m.text()));
  page.on("pageerror", (e) => log("pageerror:", String(e)));
  return {
    goto: (u) => page.goto(u, { waitUntil: "load", timeout: 120000 }),
    reload: () => page.reload({ waitUntil: "load", timeout: 120000 }),
    eval: (expr) => page.evaluate(`(async () => (${expr}))()`),
    click: async (css) => {
      await page.evaluate((c) => document.querySelector(c).scrollIntoView({ block: "center" }), css);
      await page.click(css);
    },
    type: (css, text) => page.type(css, text),
    close: () => browser.close(),
  };
}

// ---------------------------------------------------------------------------
// WebKitGTK: a few W3C WebDriver endpoints over plain HTTP.
async function webkit() {
  const wd = args.webdriver.replace(/\/$/, "");
  const call = async (method, path, body) => {
    const r = await fetch(wd + path, {
      method,
      headers: { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const j = await r.json();
    if (!r.ok || (j.value && j.value.error)) {
      throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j.value)}`);
    }
    return j.value;
  };
  const session = await call("POST", "/session", {
    capabilities: {
      alwaysMatch: {
        "webkitgtk:browserOptions": {
          binary: args.minibrowser,
          args: ["--automation"],
        },
      },
    },
  });
  const s = "/session/" + session.sessionId;
  await call("POST", s + "/timeouts", { script: 120000, pageLoad: 120000, implicit: 0 });
  // MiniBrowser's window is at least ~447 px wide: a large phone.
  await call("POST", s + "/window/rect", { width: 447, height: 844 });
  const element = async (css) => {
    const v = await call("POST", s + "/element", { using: "css selector", value: css });
    return v["element-6066-11e4-a52e-4f735466cecf"];
  };
  return {
    goto: (u) => call("POST", s + "/url", { url: u }),
    reload: () => call("POST", s + "/refresh", {}),
    eval: async (expr) => {
      const v = await call("POST", s + "/execute/async", {
        script: `const done = arguments[arguments.length - 1];
          Promise.resolve().then(async () => (${expr}))
            .then((v) => done({ ok: v === undefined ? null : v }), (e) => done({ err: String(e) }));`,
        args: [],
      });
      if (v && v.err !== undefined) throw new Error(v.err);
      return v.ok;
    },
    click: async (css) => {
      const id = await element(css);
      await call("POST", s + "/execute/sync", {
        script: "arguments[0].scrollIntoView({block: 'center'});",
        args: [{ "element-6066-11e4-a52e-4f735466cecf": id }],
      });
      await call("POST", `${s}/element/${id}/click`, {});
    },
    type: async (css, text) => {
      const id = await element(css);
      await call("POST", `${s}/element/${id}/value`, { text });
    },
    close: () => call("DELETE", s),
  };
}

// ---------------------------------------------------------------------------
// The shift, the same steps in every engine.
const b = args.engine === "firefox" ? await firefox() : await webkit();

// waitFor polls a condition in the page: the only way this script waits.
async function waitFor(expr, what, ms = 60000) {
  const end = Date.now() + ms;
  let last = "";
  for (;;) {
    try {
      if (await b.eval(expr)) return;
    } catch (e) {
      last = String(e); // a page between two documents during a reload
    }
    if (Date.now() > end) throw new Error(`waiting for ${what}: timed out ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const visible = (testid) =>
  `(() => { const e = document.querySelector('${sel(testid)}'); return !!e && e.getClientRects().length > 0; })()`;
const syncStates = `[...document.querySelectorAll('${sel("sync-state")}')].map((e) => e.dataset.state)`;
async function noUpdateBanner(step) {
  if (await b.eval(`!!document.querySelector('${sel("update-ready")}')`)) {
    throw new Error(`${step}: the "new version" banner shows, with nothing changed`);
  }
}
async function writeNote(text) {
  await waitFor(visible("note-text"), "the note field");
  await b.type(sel("note-text"), text);
  await b.click(sel("note-save"));
  await waitFor(visible("note-saved"), "saved on the phone");
  const left = await b.eval(`document.querySelector('${sel("note-text")}').value`);
  if (left !== "") throw new Error(`the note field still shows ${JSON.stringify(left)} after "saved"`);
}
async function unlock(pin) {
  await waitFor(visible("unlock"), "the PIN page");
  await b.type(sel("pin"), pin);
  await b.click(sel("unlock"));
  await waitFor(visible("lock"), "the open shift after unlock");
}
// The warning shows exactly when the browser does not promise to keep the
// data (no navigator.storage, or persisted() false).
async function storageWarningMatches(step) {
  const r = await b.eval(`(async () => {
    const st = navigator.storage;
    const kept = !!(st && st.persisted && (await st.persisted()));
    return { api: !!(st && st.persisted), kept, shown: !!document.querySelector('${sel("storage-warning")}') };
  })()`);
  log(`${step}: navigator.storage.persisted ${r.api ? "exists" : "is missing"}, persisted=${r.kept}, warning shown=${r.shown}`);
  if (r.shown === r.kept) throw new Error(`${step}: storage persisted=${r.kept} but warning shown=${r.shown}`);
}

const notes = JSON.parse(args.notes);
const pin = "529134";
try {
  log("log in");
  await b.goto(base + "/");
  await waitFor(`!!document.querySelector('[data-mounted="true"]')`, "the app", 120000);
  await waitFor(`(() => { const e = document.querySelector('${sel("username")}'); return !!e && !e.disabled; })()`, "the login form");
  await b.type(sel("username"), "anna");
  await b.type(sel("password"), "demo");
  await b.click(sel("login"));
  await waitFor(visible("pin-confirm"), "the PIN choice");
  await b.type(sel("pin"), pin);
  await b.type(sel("pin-confirm"), pin);
  await b.click(sel("pin-save"));
  await waitFor(visible("visit"), "the visits");
  await waitFor(`(async () => {
    if (!navigator.serviceWorker || !navigator.serviceWorker.controller) return false;
    for (const k of await caches.keys()) if (await (await caches.open(k)).match("/web/app.wasm")) return true;
    return false;
  })()`, "a service worker with the app cached", 120000);
  // The first install's activation is where go-app saw an "update".
  await waitFor(`(async () => (await navigator.serviceWorker.getRegistration()).active.state === "activated")()`, "the worker activated");
  await noUpdateBanner("first visit");

  log("person card and a note online");
  await b.click(sel("visit"));
  await waitFor(visible("person-card"), "the person card");
  await writeNote(notes[0]);
  // Seconds after the first install: an update check started by it has
  // long had its answer.
  await noUpdateBanner("after the first note");
  log("update checks on this page:", await b.eval(`document.querySelector('[data-mounted="true"]').dataset.updateChecks`));

  log("server killed; reload and unlock offline");
  await ask("stop-server");
  await b.reload();
  await waitFor(`!!document.querySelector('[data-mounted="true"]')`, "the app offline", 120000);
  await unlock(pin);
  await noUpdateBanner("offline reload");
  await storageWarningMatches("offline reload");

  log("routines offline");
  await b.click(sel("tab-routines"));
  await waitFor(`document.querySelectorAll('${sel("routine")}').length > 0`, "the routines");

  log("a note offline");
  await b.click(sel("tab-visits"));
  await waitFor(visible("visit"), "the visits");
  await b.click(sel("visit"));
  await waitFor(visible("person-card"), "the person card offline");
  await writeNote(notes[1]);

  log("server back; the phone syncs by itself");
  await ask("start-server");
  await waitFor(`(() => { const s = ${syncStates}; return s.length === 2 && s.every((x) => x === "sent"); })()`,
    "both notes sent", 180000);
  await noUpdateBanner("after the sync");
  log("shift done");
  await ask("done");
} catch (e) {
  log("FAILED:", e && e.stack ? e.stack : String(e));
  try {
    log("page text:", String(await b.eval("document.body.innerText")).slice(0, 1500));
  } catch {}
  process.exitCode = 1;
} finally {
  try {
    await b.close();
  } catch {}
  stdin.close();
}
