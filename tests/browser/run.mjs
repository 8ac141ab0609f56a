// Browser tests of the 맑은 pages: starts the real `malgeun` binary on a temporary data folder with
// the demo complex 맑은아파트 on a free port, drives Debian's chromium with playwright-core through
// five flows (approval, 반려 through the comment dialog and 재기안, the 회장 on a phone, uploading
// attachments with a progress bar and their previews, an ended session during a search), runs
// axe-core on every main page, and saves screenshots of the document view into docs/screenshots/.
// Exits non-zero on the first failure.
//
//   node run.mjs   MALGEUN_BIN: the binary (default $CARGO_TARGET_DIR or target, /debug/malgeun)
//                  CHROMIUM: the browser (default /usr/bin/chromium)
//                  SCREENSHOT_DIR: where screenshots go (default docs/screenshots)

import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
const targetDir = process.env.CARGO_TARGET_DIR || path.join(repo, "target");
const binary = process.env.MALGEUN_BIN || path.join(targetDir, "debug", "malgeun");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const shots = process.env.SCREENSHOT_DIR || path.join(repo, "docs", "screenshots");
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const PASSWORD = "malgeun-demo";

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startServer() {
  if (!existsSync(binary)) {
    throw new Error(`no malgeun binary at ${binary}: run \`cargo build -p malgeun\` or set MALGEUN_BIN`);
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), "malgeun-browser-"));
  const port = await freePort();
  const child = spawn(binary, ["--data-dir", dataDir, "demo", "--listen", `127.0.0.1:${port}`], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: "warn" },
  });
  let output = "";
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 120 s:\n${output}`)), 120_000);
    const onData = (chunk) => {
      output += chunk;
      if (output.includes("맑은: http://")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (c) => (output += c));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return { child, dataDir, base: `http://127.0.0.1:${port}` };
}

/** Runs axe-core on the page and fails on any serious or critical violation. */
async function checkAccessibility(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ["violations"] }),
  );
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (bad.length) {
    const detail = bad
      .map((v) => `  [${v.impact}] ${v.id}: ${v.help}\n${v.nodes.slice(0, 3).map((n) => `      ${n.target.join(" ")}`).join("\n")}`)
      .join("\n");
    throw new Error(`axe-core found serious or critical violations on ${name}:\n${detail}`);
  }
  checked.push(name);
}

const checked = [];

/** A fresh browser context (own cookies) with a page that fails the test on any CSP violation. */
async function newPage(browser, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, locale: "ko-KR", timezoneId: "Asia/Seoul" });
  const page = await context.newPage();
  page.on("console", (msg) => {
    if (/Content Security Policy|Refused to (execute|apply|load)/.test(msg.text())) {
      cspViolations.push(`${page.url()}: ${msg.text()}`);
    }
  });
  page.on("pageerror", (err) => pageErrors.push(`${page.url()}: ${err.message}`));
  page.setDefaultTimeout(20_000);
  return page;
}

const cspViolations = [];
const pageErrors = [];

async function login(page, base, login) {
  await page.goto(`${base}/login`);
  await page.fill("#login", login);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(/\/c\/[^/]+\/inbox/), page.click("button:has-text('로그인')")]);
}

async function logout(page) {
  await Promise.all([page.waitForURL(/\/login/), page.click("header button:has-text('로그아웃')")]);
  await page.context().close();
}

/** Fills the 지출결의서 form with two rows and returns the title used. */
async function fillExpense(page, title, rows) {
  await page.fill("#title", title);
  await page.fill("[name='f.spent_on']", "2026-11-20");
  for (const [i, [summary, vendor, amount]] of rows.entries()) {
    await page.fill(`[name='t.items.${i}.summary']`, summary);
    await page.fill(`[name='t.items.${i}.vendor']`, vendor);
    await page.fill(`[name='t.items.${i}.amount']`, amount);
  }
  await page.selectOption("[name='f.method']", "계좌이체");
  await page.fill("[name='f.budget_item']", "수선유지비");
}

async function openDraftForm(page, kindName) {
  await page.click("nav.menu >> text=기안하기");
  await page.waitForSelector("h1:has-text('기안하기')");
  await Promise.all([page.waitForURL(/\/new\/[^/]+$/), page.click(`.kinds a:has-text('${kindName}')`)]);
}

async function openFromInbox(page, title, tab = "결재대기") {
  await page.click(`.tabs a:has-text('${tab}')`);
  await page.waitForSelector(`.doclist a:has-text('${title}')`);
  await Promise.all([page.waitForURL(/\/documents\//), page.click(`.doclist a:has-text('${title}')`)]);
}

/**
 * Opens the comment dialog of an action and returns it. `retryLostClick`: on a page whose PDF
 * preview is starting Chromium's PDF viewer (a separate process), headless Chromium sometimes
 * delivers a click to no element of the page at all (no mousedown reaches the document); then
 * the click is repeated, at most twice. Elsewhere one click must open the dialog.
 */
async function openActDialog(page, buttonText, { retryLostClick = false } = {}) {
  const button = page.locator(`.actions form[data-act-form] button:has-text('${buttonText}')`).first();
  const dialog = page.locator("dialog[data-act-dialog]");
  if (!retryLostClick) {
    await button.click();
    await dialog.waitFor({ state: "visible" });
    return dialog;
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.evaluate(() => {
      window.mousedownSeen = false;
      document.addEventListener("mousedown", () => (window.mousedownSeen = true), { once: true, capture: true });
    });
    await button.click();
    const reached = await page
      .waitForFunction(() => window.mousedownSeen, null, { timeout: 3000 })
      .then(() => true, () => false);
    if (reached) break;
  }
  await dialog.waitFor({ state: "visible" });
  return dialog;
}

/** Takes an action through its dialog, with an optional comment. */
async function act(page, buttonText, comment) {
  const dialog = await openActDialog(page, buttonText);
  if (comment !== undefined) await dialog.locator("textarea").fill(comment);
  await Promise.all([page.waitForURL(/done=/), dialog.locator("button:has-text('확인')").click()]);
}

async function approvalFlow(browser, base) {
  const title = `승강기 도어 센서 교체 ${Date.now() % 100000}`;
  // 경리주임 drafts a 지출결의서 with two rows and an attachment.
  let page = await newPage(browser);
  await login(page, base, "accountant");
  await checkAccessibility(page, "결재함");
  await openDraftForm(page, "지출결의서");
  await checkAccessibility(page, "기안 종류 선택");
  await page.goBack();
  await page.goForward();
  await fillExpense(page, title, [
    ["승강기 도어 센서", "한빛승강기", "450,000"],
    ["출장 점검비", "한빛승강기", "50000"],
  ]);
  assert.equal(await page.textContent("output[data-total]"), "500,000", "the live total");
  await page.setInputFiles("#files", {
    name: "견적서.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("한빛승강기 견적서: 도어 센서 450,000원, 출장 50,000원\n"),
  });
  // The line is prefilled from the kind: 시설과장 (검토) → 관리사무소장 (결재).
  const kinds = await page.$$eval("select[name$='.kind']", (s) => s.map((x) => x.value));
  const positions = await page.$$eval("select[name$='.position']", (s) =>
    s.map((x) => x.selectedOptions[0].textContent),
  );
  assert.deepEqual(kinds.slice(0, 2), ["review", "final"]);
  assert.match(positions[0], /시설과장/);
  assert.match(positions[1], /관리사무소장/);
  await checkAccessibility(page, "기안 양식");
  await Promise.all([page.waitForURL(/done=submit/), page.click("button:has-text('상신')")]);
  assert.match(await page.textContent(".notice"), /상신했습니다/);
  assert.match(await page.textContent("table.gyeoljae"), /시설과장[\s\S]*관리사무소장/);
  assert.match(await page.textContent(".attachments"), /견적서\.txt/);
  assert.match(await page.textContent(".attachments"), /SHA-256 [0-9a-f]{64}/);
  assert.match(await page.textContent(".bonmun"), /500,000원/);
  await logout(page);

  // 시설과장 reviews and approves.
  page = await newPage(browser);
  await login(page, base, "facility");
  await openFromInbox(page, title);
  await checkAccessibility(page, "문서 보기 (결재 전)");
  await act(page, "승인", "견적 금액 확인했습니다.");
  assert.match(await page.textContent(".notice"), /승인했습니다/);
  assert.match(await page.textContent("table.gyeoljae"), /승인/);
  await logout(page);

  // 관리사무소장 gives final approval: the document is registered.
  page = await newPage(browser);
  await login(page, base, "manager");
  await openFromInbox(page, title);
  await act(page, "승인");
  const number = (await page.textContent(".reg-number")).trim();
  assert.match(number, /^맑은아파트-\d{4}-\d{4}$/, "a registration number");
  assert.match(await page.textContent(".timeline"), /견적 금액 확인했습니다/);
  await checkAccessibility(page, "문서 보기 (등록)");
  await page.screenshot({ path: path.join(shots, "document.png"), fullPage: true });

  // The final approval's ledger entry: its leaf hash and inclusion proof check out.
  await Promise.all([page.waitForURL(/\/ledger\?entry=\d+/), page.click(".timeline li:last-child a.ledger")]);
  assert.match(await page.textContent("main"), /서명 확인됨/);
  assert.match(await page.textContent("main"), /포함 증명 확인됨/);
  assert.match(await page.textContent("pre.note >> nth=1"), /document\.approve/);
  await checkAccessibility(page, "원장");
  await page.goBack();

  // It is in the 문서등록대장 with its number, also when filtered by kind.
  await page.click("nav.menu >> text=문서등록대장");
  await page.selectOption("#kind", { label: "지출결의서" });
  await Promise.all([page.waitForURL(/kind=expense-resolution/), page.click("form.filters button:has-text('찾기')")]);
  const row = page.locator("table.register tr", { hasText: title });
  assert.equal(await row.count(), 1);
  assert.match(await row.textContent(), new RegExp(number));
  await checkAccessibility(page, "문서등록대장");
  await page.screenshot({ path: path.join(shots, "register.png") });

  // The header's search box finds it by a word of its title with a particle (도어를 → 도어), marked.
  await page.fill("#top-q", "도어를 교체");
  await Promise.all([page.waitForURL(/\/search\?q=/), page.press("#top-q", "Enter")]);
  const hit = page.locator("ol.hits li.hit", { hasText: title });
  assert.equal(await hit.count(), 1, "the search finds the registered document");
  assert.match(await hit.textContent(), new RegExp(number));
  assert.ok((await hit.locator("mark").count()) > 0, "the matched words are marked");
  await checkAccessibility(page, "문서 검색");
  await page.click("nav.menu >> text=관리");
  await page.waitForSelector("h1:has-text('관리')");
  assert.match(await page.textContent(".positions"), /시설과장[\s\S]*박철호/);
  await checkAccessibility(page, "관리");
  // Each kind's default line opens in its editor, prefilled with the stored line.
  await Promise.all([
    page.waitForURL(/\/admin\/kinds\/expense-resolution$/),
    page.click("a:has-text('결재선 바꾸기 (지출결의서)')"),
  ]);
  assert.equal(await page.inputValue("[name='line.0.kind']"), "review");
  assert.equal(await page.inputValue("[name='line.1.kind']"), "final");
  assert.ok(await page.isChecked("input[name=final_role][value=manager]"));
  await checkAccessibility(page, "기본 결재선");
  await page.goto(`${base}/`);
  await page.screenshot({ path: path.join(shots, "inbox.png") });
  await logout(page);
  return number;
}

async function rejectAndReviseFlow(browser, base) {
  const title = `놀이터 바닥 보수 ${Date.now() % 100000}`;
  let page = await newPage(browser);
  await login(page, base, "accountant");
  await openDraftForm(page, "지출결의서");
  await fillExpense(page, title, [
    ["탄성 포장 보수", "푸른조경", "280,000"],
    ["폐기물 처리", "푸른조경", "30,000"],
  ]);
  // A refused form keeps what was typed: leave out the date first.
  await page.fill("[name='f.spent_on']", "");
  await page.click("button:has-text('상신')");
  await page.waitForSelector(".alert");
  assert.match(await page.textContent(".draft-form"), /지출일자: 필수 입력 항목입니다/);
  assert.equal(await page.inputValue("#title"), title);
  assert.equal(await page.inputValue("[name='t.items.0.amount']"), "280,000");
  await checkAccessibility(page, "기안 양식 (오류)");
  await page.fill("[name='f.spent_on']", "2026-11-21");
  await Promise.all([page.waitForURL(/done=submit/), page.click("button:has-text('상신')")]);
  await logout(page);

  // 시설과장 rejects it in the comment dialog: without a reason the dialog says so in Korean and
  // sends nothing; 취소 closes it; with a reason it is rejected.
  page = await newPage(browser);
  await login(page, base, "facility");
  await openFromInbox(page, title);
  const docUrl = page.url();
  assert.equal(await page.isVisible("#comment"), false, "the dialog asks for the comment instead");
  let dialog = await openActDialog(page, "보류");
  await dialog.locator("button:has-text('취소')").click();
  await dialog.waitFor({ state: "hidden" });
  dialog = await openActDialog(page, "반려");
  assert.equal((await dialog.locator("h2").textContent()).trim(), "반려");
  await checkAccessibility(page, "반려 의견 창");
  await dialog.locator("button:has-text('확인')").click();
  const error = dialog.locator(".field-error");
  await error.waitFor({ state: "visible" });
  assert.equal((await error.textContent()).trim(), "반려 사유를 적어 주세요.");
  assert.equal(await dialog.locator("textarea").getAttribute("aria-invalid"), "true");
  assert.ok(await dialog.isVisible(), "the dialog stays open");
  assert.equal(page.url(), docUrl, "nothing was sent");
  await page.screenshot({ path: path.join(shots, "reject-dialog.png") });
  await dialog.locator("textarea").fill("세금계산서를 첨부해 주세요.");
  assert.equal(await error.isVisible(), false, "the message goes once a reason is typed");
  await Promise.all([page.waitForURL(/done=reject/), dialog.locator("button:has-text('확인')").click()]);
  assert.match(await page.textContent(".notice"), /반려했습니다/);
  assert.match(await page.textContent("table.gyeoljae"), /반려/);
  await logout(page);

  // The drafter finds it under 반려, reads the reason, and 재기안s it.
  page = await newPage(browser);
  await login(page, base, "accountant");
  await openFromInbox(page, title, "반려");
  assert.match(await page.textContent(".timeline"), /세금계산서를 첨부해 주세요/);
  await checkAccessibility(page, "문서 보기 (반려)");
  await Promise.all([page.waitForURL(/\/edit$/), page.click(".actions button:has-text('재기안')")]);
  assert.equal(await page.inputValue("#title"), title);
  await page.setInputFiles("#files", {
    name: "세금계산서.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("세금계산서 푸른조경 310,000원\n"),
  });
  await Promise.all([page.waitForURL(/done=submit/), page.click("button:has-text('상신')")]);
  assert.match(await page.textContent(".notice"), /상신했습니다/);
  assert.match(await page.textContent(".meta-grid"), /판\s*2/);
  assert.match(await page.textContent(".attachments"), /세금계산서\.txt/);
  assert.match(await page.textContent(".timeline"), /재기안/);
  await page.screenshot({ path: path.join(shots, "revised.png"), fullPage: true });
  await logout(page);
}

async function mobileChairFlow(browser, base) {
  const title = `경비실 냉난방기 구입 ${Date.now() % 100000}`;
  // The line asks the 회장 to confirm (협조) before the 관리사무소장 approves.
  let page = await newPage(browser);
  await login(page, base, "accountant");
  await openDraftForm(page, "지출결의서");
  await fillExpense(page, title, [
    ["냉난방기", "맑은전자", "1,200,000"],
    ["설치비", "맑은전자", "150,000"],
  ]);
  await page.selectOption("[name='line.0.kind']", "agreement");
  await page.selectOption("[name='line.0.position']", { label: "입주자대표회의 회장 (최영순)" });
  await Promise.all([page.waitForURL(/done=submit/), page.click("button:has-text('상신')")]);
  assert.match(await page.textContent("table.gyeoljae"), /협조[\s\S]*회장/);
  await logout(page);

  // On a 360×740 phone the 회장 finds it and confirms it.
  page = await newPage(browser, { width: 360, height: 740 });
  await login(page, base, "chair");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= 360, `the inbox fits 360 px (scrollWidth ${overflow})`);
  await checkAccessibility(page, "결재함 (360px)");
  await openFromInbox(page, title);
  const docWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(docWidth <= 360, `the document fits 360 px (scrollWidth ${docWidth})`);
  const fontSize = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  assert.ok(fontSize >= 16, `large type (${fontSize}px)`);
  await checkAccessibility(page, "문서 보기 (360px)");
  await act(page, "승인", "확인합니다.");
  assert.match(await page.textContent(".notice"), /승인했습니다/);
  const chairBox = page.locator("table.gyeoljae td.box.ok", { hasText: "최영순" });
  assert.equal(await chairBox.count(), 1, "the 회장's box is stamped");
  assert.match(await chairBox.textContent(), /승인/);
  await page.screenshot({ path: path.join(shots, "mobile-chair.png"), fullPage: true });
  await logout(page);
}

/** A 320×160 PNG (a grey wall with a dark crack), made here. */
function makePng(width = 320, height = 160) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      const crack = Math.abs(y - (height / 2 + Math.sin(x / 18) * 30)) < 3;
      const v = crack ? 40 : 190 + ((x * 7 + y * 13) % 30);
      raw.set([v, v, crack ? 40 : v + 10], row + 1 + x * 3);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A one-page PDF, made here. */
function makePdf() {
  const content = "BT /F1 18 Tf 20 50 Td (Quote: 90,000 KRW) Tj ET";
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let out = "%PDF-1.4\n";
  const offsets = objects.map((o, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("");
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

async function uploadAndPreviewFlow(browser, base) {
  const title = `배관 누수 수리 ${Date.now() % 100000}`;
  const page = await newPage(browser);
  await login(page, base, "accountant");
  await openDraftForm(page, "지출결의서");
  await fillExpense(page, title, [["배관 교체", "맑은설비", "90,000"]]);
  await page.setInputFiles("#files", [
    { name: "누수 부위.png", mimeType: "image/png", buffer: makePng() },
    { name: "견적서.pdf", mimeType: "application/pdf", buffer: makePdf() },
    { name: "측정 기록.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(4 * 1024 * 1024, 7) },
  ]);
  assert.equal(await page.isVisible("[data-upload-progress]"), false, "no progress bar before sending");
  // Record what the progress bar shows while the form uploads at 2 MB/s.
  const seen = [];
  await page.exposeFunction("recordUploadProgress", (value, text, hidden) => seen.push({ value, text, hidden }));
  await page.evaluate(() => {
    document.addEventListener("htmx:xhr:progress", () => {
      const box = document.querySelector("[data-upload-progress]");
      // eslint-disable-next-line no-undef
      recordUploadProgress(box.querySelector("progress").value, box.querySelector("label").textContent, box.hidden);
    });
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: 2 * 1024 * 1024,
  });
  await Promise.all([page.waitForURL(/done=submit/, { timeout: 60_000 }), page.click("button:has-text('상신')")]);
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  assert.ok(seen.length > 0, "progress events");
  assert.ok(seen.every((s) => !s.hidden), "the bar is shown while uploading");
  assert.ok(seen.some((s) => s.value > 0 && s.value < 100), `the bar moves: ${JSON.stringify(seen)}`);
  const last = seen[seen.length - 1];
  assert.equal(last.value, 100);
  assert.equal(last.text, "첨부 파일 올리는 중 100%");
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i].value >= seen[i - 1].value, "never goes back");

  // The document previews the image and the PDF in place; the other file is only a link.
  assert.match(await page.textContent(".notice"), /상신했습니다/);
  const img = page.locator("figure.preview img");
  await img.waitFor();
  await page.waitForFunction(() => document.querySelector("figure.preview img").complete);
  assert.equal(await img.evaluate((el) => el.naturalWidth), 320, "the image loaded");
  await page.locator("iframe.preview.pdf").scrollIntoViewIfNeeded();
  const pdfFrame = page.frames().find((f) => f.url().endsWith("/attachments/2/preview"));
  assert.ok(pdfFrame, `the PDF frame: ${page.frames().map((f) => f.url()).join(", ")}`);
  await pdfFrame.waitForLoadState();
  assert.equal(await pdfFrame.evaluate(() => document.contentType), "application/pdf", "the PDF is shown, not blocked");
  // Chromium's PDF viewer (an extension frame inside ours) starts, so neither policy blocked it.
  let viewer;
  for (const started = Date.now(); !viewer && Date.now() - started < 15_000; ) {
    viewer = page.frames().find((f) => f.url().startsWith("chrome-extension://"));
    if (!viewer) await page.waitForEvent("frameattached", { timeout: 15_000 }).catch(() => {});
  }
  assert.ok(viewer, `the PDF viewer started: ${page.frames().map((f) => f.url()).join(", ")}`);
  await viewer.waitForLoadState("load");
  assert.equal(await page.locator(".attachments li").count(), 3);
  assert.equal(await page.locator(".attachments li", { hasText: "측정 기록.bin" }).locator("img, iframe").count(), 0);
  await checkAccessibility(page, "문서 보기 (첨부 미리보기)");
  await page.screenshot({ path: path.join(shots, "preview.png"), fullPage: true });

  // 회수 asks first (no comment needed) and then withdraws.
  const dialog = await openActDialog(page, "회수", { retryLostClick: true });
  assert.equal(await dialog.locator("textarea").isVisible(), false);
  assert.match(await dialog.locator(".help").textContent(), /회수하면/);
  await Promise.all([page.waitForURL(/done=withdraw/), dialog.locator("button:has-text('확인')").click()]);
  assert.match(await page.textContent(".notice"), /회수했습니다/);
  await logout(page);
}

async function endedSessionFlow(browser, base) {
  const page = await newPage(browser);
  await login(page, base, "manager");
  await page.click(".tabs a:has-text('완료')");
  await page.waitForURL(/tab=done/);
  // The session ends; the next search (an htmx request) takes the whole page to the login page
  // instead of putting a login form into the list, and logging in comes back to the tab.
  await page.context().clearCookies();
  await Promise.all([page.waitForURL(/\/login\?next=/), page.fill("#q", "승강기")]);
  assert.equal(await page.locator("h1").textContent(), "로그인");
  assert.equal(await page.locator("#list").count(), 0);
  await page.fill("#login", "manager");
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(/\/inbox\?tab=done/), page.click("button:has-text('로그인')")]);
  assert.equal(await page.locator(".tabs a[aria-current=page]", { hasText: "완료" }).count(), 1);
  await logout(page);
}

async function main() {
  mkdirSync(shots, { recursive: true });
  const server = await startServer();
  // playwright-core gives every launch a fresh temporary profile (user-data-dir).
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  let failed = false;
  try {
    for (const [name, flow] of [
      ["결재 흐름: 기안 → 검토 → 결재 → 문서등록대장", approvalFlow],
      ["반려와 재기안", rejectAndReviseFlow],
      ["360×740 화면에서 회장 확인", mobileChairFlow],
      ["첨부 파일 올리기 (진행 표시)와 미리보기, 회수", uploadAndPreviewFlow],
      ["로그인이 끝난 뒤 검색하면 로그인 화면으로", endedSessionFlow],
    ]) {
      const started = Date.now();
      await flow(browser, server.base);
      console.log(`ok  ${name} (${Date.now() - started} ms)`);
    }
    assert.deepEqual(cspViolations, [], "no Content-Security-Policy violations");
    assert.deepEqual(pageErrors, [], "no script errors");
    console.log(`ok  axe-core: no serious or critical violations on ${checked.length} pages: ${checked.join(", ")}`);
  } catch (e) {
    failed = true;
    console.error(`FAILED: ${e.stack || e}`);
    if (pageErrors.length) console.error(`script errors:\n  ${pageErrors.join("\n  ")}`);
    if (cspViolations.length) console.error(`CSP violations:\n  ${cspViolations.join("\n  ")}`);
  } finally {
    await browser.close();
    server.child.kill("SIGTERM");
    rmSync(server.dataDir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
