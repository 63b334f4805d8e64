// The staff console in a real browser: headless Debian Chromium driven by
// playwright-core, against a real sync server (SQLite, demo district) on
// 127.0.0.1, with real device cores (the `volunteer-device` binary) on the
// volunteers' side. Every main page is checked with axe-core (no serious or
// critical violation) and photographed under $SCREENSHOTS.
//
// Run by scripts/console-tests.sh, which builds the binaries and sets
// SERVER_BIN, DEVICE_BIN, CHROMIUM and SCREENSHOTS.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import XLSX from "xlsx";

const PASSWORD = "demo-2026";
const SHOTS = process.env.SCREENSHOTS ?? "target/console-screenshots";
const AXE = readFileSync(new URL("./node_modules/axe-core/axe.min.js", import.meta.url), "utf8");
let dir, server, base, browser;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "console-"));
  mkdirSync(SHOTS, { recursive: true });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(
    process.env.SERVER_BIN,
    ["--listen", `127.0.0.1:${port}`, "--database", join(dir, "server.db"), "--demo", "--figures-every", "1"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      if (out.includes("listening on")) resolve();
    });
    server.on("exit", (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

/// A real device core: sign in, act, sync, and say what the app shows.
function device(name, login, ...command) {
  const out = execFileSync(process.env.DEVICE_BIN, [join(dir, `${name}.db`), base, login, PASSWORD, ...command], {
    encoding: "utf8",
  });
  return JSON.parse(out.trim().split("\n").pop());
}

async function signedIn(login) {
  // bypassCSP: axe-core is injected as an inline script, which the console's CSP forbids.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${base}/console/login`);
  await page.fill("#login", login);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(`${base}/console`), page.click("form.card button[type=submit]")]);
  return page;
}

/// axe-core in the page: no serious or critical violation.
async function accessible(page, name) {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    [],
    `accessibility of ${name}`,
  );
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function flashOk(page) {
  await assert.doesNotReject(page.locator(".flash .ok").waitFor({ timeout: 5000 }), "the form reports done");
}

test("a volunteer account cannot open the console", async () => {
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${base}/console/login`);
  await page.fill("#login", "volunteer1");
  await page.fill("#password", PASSWORD);
  await page.click("form.card button[type=submit]");
  await page.locator("[role=alert]").waitFor();
  assert.match(await page.locator("[role=alert]").innerText(), /志愿者请使用手机应用/);
  assert.equal((await context.cookies()).filter((c) => c.name === "vs_session").length, 0);
  const res = await page.goto(`${base}/console/orders`);
  assert.match(res.url(), /\/console\/login/, "no page without a session");
  await shot(page, "login-refused");
  await accessible(page, "sign-in");
  await context.close();
});

test("station staff take an order by phone, dispatch it, and it reaches the volunteer's phone", async () => {
  const v1 = device("v1", "volunteer1", "sync");
  const page = await signedIn("staff-station");
  await shot(page, "home");
  await accessible(page, "home");
  await page.goto(`${base}/console/orders`);
  const text = `代买一周的菜 e2e-${Date.now()}`;
  const form = page.locator("form[aria-labelledby=phone-order]");
  await form.locator("[name=category]").fill("代购");
  await form.locator("[name=description]").fill(text);
  await form.locator("[name=phone]").fill("13900000001");
  await form.locator("[name=address]").fill("幸福里小区2栋1单元");
  // The same form posted twice (a double click, a resent request): one order.
  const posted = await form.evaluate(async (f) => {
    const body = new URLSearchParams(new FormData(f));
    const a = await fetch(f.action, { method: "POST", body, redirect: "follow" });
    const b = await fetch(f.action, { method: "POST", body, redirect: "follow" });
    return [a.url, b.url];
  });
  assert.ok(posted.every((u) => u.includes("done=1")), posted.join(" "));
  await page.goto(`${base}/console/orders?status=submitted`);
  const rows = page.locator("#orders tbody tr", { hasText: text });
  assert.equal(await rows.count(), 1, "a double-submitted form applies once");
  const row = rows.first();
  const orderId = await row.getAttribute("data-order");
  assert.match(await row.innerText(), /13900000001/, "staff of the site see the contact");
  await row.locator("select[name=volunteer_id]").selectOption(v1.user_id);
  await row.getByRole("button", { name: "派单" }).click();
  await flashOk(page);
  await page.goto(`${base}/console/orders`);
  assert.match(await page.locator(`tr[data-order="${orderId}"] td.status`).innerText(), /已派单/);
  await shot(page, "orders");
  await accessible(page, "dispatch desk");

  const after = device("v1", "volunteer1", "sync");
  const mine = after.assigned_orders.find((o) => o.id === orderId);
  assert.ok(mine, "the dispatched order is on the volunteer's phone");
  assert.equal(mine.status, "dispatched");
  await page.context().close();
});

let approvedEntry;

test("staff approve a self-report made on a phone", async () => {
  const v2 = device("v2", "volunteer2", "sync");
  const team = v2.memberships.find((m) => m.status === "active").team_id;
  const { entry_id } = device("v2", "volunteer2", "report", team, "90", "社区活动中心值班");
  const page = await signedIn("staff-station");
  await page.goto(`${base}/console/hours`);
  const row = page.locator(`tr[data-entry="${entry_id}"]`);
  await row.waitFor();
  await shot(page, "hours");
  await accessible(page, "hours review");
  await row.locator("input[name=entry]").check();
  await page.getByRole("button", { name: "通过所选" }).click();
  await flashOk(page);
  assert.equal(await page.locator(`tr[data-entry="${entry_id}"]`).count(), 0, "no longer waiting");
  const after = device("v2", "volunteer2", "sync");
  assert.equal(after.hours.find((h) => h.id === entry_id)?.status, "confirmed");
  approvedEntry = entry_id;
  await page.context().close();
});

test("a figure changes after a check-in at the desk", async () => {
  const page = await signedIn("staff-station");
  await page.goto(`${base}/console/figures`);
  const before = Number(await page.locator("#person-times").innerText());
  await shot(page, "figures");
  await accessible(page, "figures");

  await page.goto(`${base}/console/activities`);
  await shot(page, "activities");
  await accessible(page, "activities");
  const running = page.locator("#activities tbody tr", { hasText: "进行中" }).first();
  await running.locator("a").click();
  await page.locator("#roster").waitFor();
  const first = page.locator("#roster tbody tr", { has: page.getByRole("button", { name: /^签到/ }) }).first();
  const volunteer = await first.getAttribute("data-volunteer");
  await first.getByRole("button", { name: /签到/ }).click();
  await flashOk(page);
  await page.locator(`tr[data-volunteer="${volunteer}"]`).getByRole("button", { name: /签退/ }).click();
  await flashOk(page);
  await shot(page, "roster");
  await accessible(page, "roster");

  let now = before;
  for (let i = 0; i < 30 && now <= before; i++) {
    await new Promise((r) => setTimeout(r, 500));
    await page.goto(`${base}/console/figures`);
    now = Number(await page.locator("#person-times").innerText());
  }
  assert.equal(now, before + 1, "one more person-time once the attendance is complete");
  assert.equal(await page.locator("#team-months").count(), 1, "hours by team and month");
  await page.context().close();
});

test("a station's staff cannot see another station's orders", async () => {
  const other = await signedIn("staff-station-2");
  await other.goto(`${base}/console/admin`);
  const acc = other.locator("form[aria-labelledby=new-account]");
  await acc.locator("[name=display_name]").fill("吴奶奶");
  await acc.locator("[name=phone]").fill(`137${String(Date.now()).slice(-8)}`);
  await acc.locator("[name=role]").selectOption("resident");
  await acc.getByRole("button").click();
  await flashOk(other);
  await shot(other, "admin");
  await accessible(other, "administration");
  await other.goto(`${base}/console/orders`);
  const text = `另一个站的订单 e2e-${Date.now()}`;
  const form = other.locator("form[aria-labelledby=phone-order]");
  await form.locator("[name=category]").fill("维修");
  await form.locator("[name=description]").fill(text);
  await form.locator("[name=phone]").fill("13700000000");
  await form.locator("[name=address]").fill("和平小区1栋");
  await form.getByRole("button").click();
  await flashOk(other);
  assert.equal(await other.locator("#orders tbody tr", { hasText: text }).count(), 1);

  const mine = await signedIn("staff-station");
  await mine.goto(`${base}/console/orders`);
  assert.equal(await mine.locator("#orders tbody tr", { hasText: text }).count(), 0);
  await other.context().close();
  await mine.context().close();
});

test("the console speaks English when asked, and refuses a form without its token", async () => {
  const page = await signedIn("staff-station");
  await page.getByRole("link", { name: "English" }).click();
  await page.locator("h1", { hasText: "Today" }).waitFor();
  await page.goto(`${base}/console/orders`);
  await shot(page, "orders-en");
  await accessible(page, "dispatch desk (English)");
  // A post without the CSRF token (what another site could send): refused.
  const status = await page.evaluate(async () => {
    const body = new URLSearchParams({ form_id: "forged1", op: "cancel_order", order_id: "x", reason: "x" });
    return (await fetch("/console/act", { method: "POST", body })).status;
  });
  assert.equal(status, 403);
  await page.context().close();
});

test("a CSV with one bad row: the check reports it by line, the import adds the rest once", async () => {
  const page = await signedIn("staff-station");
  const csv = "姓名,手机号,身份,备注\n陈阿姨,136 1234 0001,居民,\n林伯伯,1361234,,号码不全\n黄小明,13612340003,,\n";
  const upload = async (mode) => {
    await page.goto(`${base}/console/admin`);
    await page.setInputFiles("#import-file", { name: "volunteers.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.locator("form[aria-labelledby=import]").getByRole("button", { name: mode }).click();
    await page.locator("#import-summary").waitFor();
    return page.locator("#import-summary").innerText();
  };
  assert.match(await upload("检查"), /新建 2 个，已有 0 个，有误 1 行/);
  assert.match(await page.locator('tr[data-line="3"]').innerText(), /11 位大陆手机号/);
  await shot(page, "import-check");
  await accessible(page, "import check");
  assert.match(await upload("导入"), /新建 2 个/);
  assert.match(await page.locator('tr[data-line="2"]').innerText(), /已新建账号/);
  assert.match(await upload("导入"), /新建 0 个，已有 2 个，有误 1 行/, "importing again adds nothing");
  await page.goto(`${base}/console/admin`);
  assert.match(await page.locator("#accounts").innerText(), /陈阿姨[\s\S]*居民[\s\S]*待激活/);
  await page.context().close();
});

test("service records export as XLSX with the fields the rules require, and read back", async () => {
  assert.ok(approvedEntry, "runs after the approval above");
  const page = await signedIn("staff-station");
  await page.goto(`${base}/console/admin`);
  const form = page.locator("form[aria-labelledby=export]");
  await form.locator("[name=report]").selectOption("records");
  await form.locator("[name=from]").fill("2026-01-01");
  await form.locator("[name=format]").selectOption("xlsx");
  const [download] = await Promise.all([page.waitForEvent("download"), form.getByRole("button").click()]);
  const path = join(dir, "records.xlsx");
  await download.saveAs(path);
  const book = XLSX.read(readFileSync(path));
  const rows = XLSX.utils.sheet_to_json(book.Sheets[book.SheetNames[0]], { header: 1 });
  assert.deepEqual(rows[0].slice(0, 8), ["记录编号", "志愿者姓名", "志愿者编号", "服务内容", "服务地点", "开始时间", "结束时间", "服务时长（小时）"]);
  const mine = rows.find((r) => r[0] === approvedEntry);
  assert.ok(mine, "the approved self-report is a service record");
  assert.equal(mine[3], "社区活动中心值班");
  assert.equal(mine[7], 1.5, "90 minutes, as a number of hours");
  assert.ok(mine[1] && mine[12], "the volunteer and the reviewer are named");
  // Hours per volunteer as CSV: UTF-8 with a byte-order mark, for Excel.
  const text = await page.evaluate(async () => {
    const r = await fetch("/console/export?report=hours-by-volunteer&from=2026-01-01&to=2099-12-31&format=csv");
    return new TextDecoder().decode(await r.arrayBuffer(), { stream: false }).slice(0, 40);
  });
  assert.match(text, /^\uFEFF?名称,记录数,服务时长（小时）/);
  await page.context().close();
});

test("a call-out for one team: its member sees and answers it, the desk watches and stops it", async () => {
  const v1 = device("v1", "volunteer1", "sync");
  const team = v1.memberships.find((m) => m.status === "active").team_id;
  const page = await signedIn("staff-station");
  await page.goto(`${base}/console/callouts`);
  const form = page.locator("form[aria-labelledby=new-callout]");
  const title = `防汛值守 e2e-${Date.now()}`;
  await form.locator("[name=title]").fill(title);
  await form.locator("[name=needed]").fill("3");
  await form.locator(`input[name="audience.team_ids"][value="${team}"]`).check();
  await form.getByRole("button", { name: "立即发布" }).click();
  await flashOk(page);
  const row = page.locator("#callouts tbody tr", { hasText: title });
  const id = await row.getAttribute("data-callout");
  const seen = device("v1", "volunteer1", "sync");
  assert.ok(seen.open_call_outs.some((c) => c.id === id), "the called volunteer's phone lists it");
  const answered = device("v1", "volunteer1", "sign-up", id);
  assert.deepEqual(answered.rejected, []);
  await page.goto(`${base}/console/callouts`);
  assert.match(await page.locator(`tr[data-callout="${id}"] td.responses`).innerText(), /1 \/ 3/);
  await shot(page, "callouts");
  await accessible(page, "call-outs");
  await page.locator(`tr[data-callout="${id}"]`).getByRole("button", { name: "提前结束响应" }).click();
  await flashOk(page);
  assert.match(await page.locator(`tr[data-callout="${id}"]`).innerText(), /已停止响应/);
  await page.context().close();
});

test("a billion-yuan typo is corrected out of a campaign's totals at the desk", async () => {
  const page = await signedIn("staff-station");
  await page.goto(`${base}/console/donations`);
  const name = `冬衣募集 e2e-${Date.now()}`;
  await page.locator("form[aria-labelledby=new-campaign] [name=name]").fill(name);
  await page.locator("form[aria-labelledby=new-campaign]").getByRole("button").click();
  await flashOk(page);
  const campaign = await page.locator("#campaigns tbody tr", { hasText: name }).getAttribute("data-campaign");
  const record = page.locator("form[aria-labelledby=record-donation]");
  await record.locator("[name=campaign_id]").selectOption(campaign);
  await record.locator("[name=donor_name]").fill("张三");
  await record.locator("[name='gift.yuan']").fill("1000000000");
  await record.getByRole("button", { name: "登记捐赠" }).click();
  await flashOk(page);
  const money = () => page.locator(`tr[data-campaign="${campaign}"] td.money`).innerText();
  assert.equal(await money(), "1000000000.00");
  const typo = page.locator("#donations tbody tr", { hasText: "¥1000000000.00" }).first();
  await typo.locator("summary").click();
  await typo.locator("[name='gift.yuan']").fill("1000");
  await typo.locator("details [name=reason]").fill("多录了六个零");
  await typo.locator("details").getByRole("button", { name: "更正" }).click();
  await flashOk(page);
  assert.equal(await money(), "1000.00", "the typo left the public totals");
  assert.match(await page.locator("#donations").innerText(), /已更正[\s\S]*多录了六个零/);
  await shot(page, "donations");
  await accessible(page, "donations");
  await page.context().close();
});

test("an activity created at the desk (no description) is published and cancelled with a reason", async () => {
  const page = await signedIn("staff-station");
  await page.goto(`${base}/console/activities`);
  const form = page.locator("form[aria-labelledby=new-activity]");
  const title = `敬老院陪伴 e2e-${Date.now()}`;
  await form.locator("[name=title]").fill(title);
  await form.getByRole("button", { name: "创建" }).click();
  await flashOk(page);
  const row = page.locator("#activities tbody tr", { hasText: title });
  assert.match(await row.innerText(), /草稿/);
  await row.getByRole("button", { name: "发布" }).click();
  await flashOk(page);
  assert.match(await page.locator("#activities tbody tr", { hasText: title }).innerText(), /报名中/);
  const again = page.locator("#activities tbody tr", { hasText: title });
  await again.locator("[name=reason]").fill("天气原因");
  await again.getByRole("button", { name: "取消活动" }).click();
  await flashOk(page);
  assert.match(await page.locator("#activities tbody tr", { hasText: title }).innerText(), /已取消/);
  await page.context().close();
});

test("an accepted order is taken back and given to someone else", async () => {
  const v1 = device("v1", "volunteer1", "sync");
  const v2 = device("v2", "volunteer2", "sync");
  const page = await signedIn("staff-station");
  await page.goto(`${base}/console/orders`);
  const text = `陪同就医 e2e-${Date.now()}`;
  const form = page.locator("form[aria-labelledby=phone-order]");
  await form.locator("[name=category]").fill("陪同");
  await form.locator("[name=description]").fill(text);
  await form.locator("[name=phone]").fill("13900000002");
  await form.locator("[name=address]").fill("幸福里小区3栋");
  await form.getByRole("button").click();
  await flashOk(page);
  const row = () => page.locator("#orders tbody tr", { hasText: text });
  const orderId = await row().getAttribute("data-order");
  await row().locator("select[name=volunteer_id]").selectOption(v1.user_id);
  await row().getByRole("button", { name: "派单" }).click();
  await flashOk(page);
  const accepted = device("v1", "volunteer1", "accept-order", orderId);
  assert.equal(accepted.assigned_orders.find((o) => o.id === orderId)?.status, "accepted");

  await page.goto(`${base}/console/orders`);
  assert.match(await row().locator("td.status").innerText(), /已接单/);
  await row().locator("input[name=reason]").first().fill("志愿者临时生病");
  await row().getByRole("button", { name: "收回改派" }).click();
  await flashOk(page);
  assert.match(await row().locator("td.status").innerText(), /待派单/);
  const gone = device("v1", "volunteer1", "sync");
  assert.notEqual(gone.assigned_orders.find((o) => o.id === orderId)?.status, "accepted", "no longer v1's");
  await row().locator("select[name=volunteer_id]").selectOption(v2.user_id);
  await row().getByRole("button", { name: "派单" }).click();
  await flashOk(page);
  const offered = device("v2", "volunteer2", "sync");
  assert.equal(offered.assigned_orders.find((o) => o.id === orderId)?.status, "dispatched");
  await page.context().close();
});

test("staff move a colleague to another site, rename a site and edit a team", async () => {
  const page = await signedIn("staff-center");
  await page.goto(`${base}/console/admin`);
  const stamp = String(Date.now()).slice(-8);
  const name = `调岗测试${stamp}`;
  const acc = page.locator("form[aria-labelledby=new-account]");
  await acc.locator("[name=display_name]").fill(name);
  await acc.locator("[name=phone]").fill(`136${stamp}`);
  await acc.locator("[name=role]").selectOption("staff");
  // Staff are made for a site below the maker's own.
  await acc.locator("[name=site_id]").selectOption({ index: 1 });
  await acc.getByRole("button").click();
  await flashOk(page);

  const person = page.locator("#accounts tbody tr", { hasText: name });
  await person.getByRole("link", { name: `调整岗位 ${name}` }).click();
  const target = page.locator("#move-site option").nth(3);
  const siteId = await target.getAttribute("value");
  const siteName = (await target.innerText()).replace(/\s*\(.*\)$/, "").trim();
  await page.locator("#move-site").selectOption(siteId);
  await page.locator("#move-reason").fill("调到基层站点");
  await shot(page, "admin-account");
  await accessible(page, "an account's role and site");
  await page.getByRole("button", { name: "保存" }).click();
  await flashOk(page);
  assert.equal((await person.locator("td").nth(2).innerText()).trim(), siteName, "the account is at its new site");

  const site = page.locator("form[aria-labelledby=new-site]");
  await site.locator("[name=name]").fill(`新站点${stamp}`);
  await site.getByRole("button").click();
  await flashOk(page);
  const siteRow = page.locator("#sites tbody tr", { hasText: `新站点${stamp}` });
  await siteRow.locator("summary").click();
  await siteRow.locator("details [name=name]").fill(`更名站点${stamp}`);
  await siteRow.getByRole("button", { name: "保存" }).click();
  await flashOk(page);
  assert.equal(await page.locator("#sites tbody tr", { hasText: `更名站点${stamp}` }).count(), 1);

  const team = page.locator("form[aria-labelledby=new-team]");
  await team.locator("[name=name]").fill(`编辑测试队${stamp}`);
  await team.getByRole("button").click();
  await flashOk(page);
  const teamRow = () => page.locator("#teams tbody tr", { hasText: `编辑测试队${stamp}` });
  assert.match(await teamRow().locator("td").nth(2).innerText(), /直接加入/);
  await teamRow().locator("summary").click();
  await teamRow().locator("details select[name=join_policy]").selectOption("approval");
  await teamRow().locator("details [name=description]").fill("需先面谈再入队");
  await teamRow().getByRole("button", { name: "保存" }).click();
  await flashOk(page);
  assert.match(await teamRow().locator("td").nth(2).innerText(), /需审核/);
  await page.locator("#teams details").first().evaluate((d) => (d.open = true));
  await shot(page, "admin-edit");
  await accessible(page, "administration with edit forms");
  await page.context().close();
});

test("a team leader works in the console within their teams; guessing a password locks the login", async () => {
  const page = await signedIn("volunteer3");
  await page.goto(`${base}/console/activities`);
  await shot(page, "leader-activities");
  await accessible(page, "a leader's activities");
  await page.goto(`${base}/console/admin`);
  assert.equal(await page.locator("form[aria-labelledby=new-account]").count(), 0, "a leader makes no accounts");
  await page.context().close();

  // The console's sign-in counts failures like the API's: past five wrong
  // tries of one login within 15 minutes it is locked, the password unread.
  const context = await browser.newContext({ bypassCSP: true });
  const guess = await context.newPage();
  const messages = [];
  for (let i = 0; i < 7; i++) {
    await guess.goto(`${base}/console/login`);
    await guess.fill("#login", "staff-guessed");
    await guess.fill("#password", `guess-${i}`);
    await guess.click("form.card button[type=submit]");
    await guess.locator("[role=alert]").waitFor();
    messages.push(await guess.locator("[role=alert]").innerText());
  }
  assert.match(messages[0], /账号或密码错误/);
  assert.match(messages[4], /账号或密码错误/);
  assert.match(messages[6], /尝试次数过多/);
  await context.close();
});
