// page.mjs — the page of `nnc serve` in Debian's headless Chromium, driven by
// playwright-core (which downloads no browser).
//   node page.mjs draw URL SHOT.png    draws a 3 stroke by stroke on #draw,
//                                      prints "prediction: K"
//   node page.mjs learn URL SHOT.png   (nnc train --serve) waits for the
//                                      curve to grow by an epoch, drawing too
// Chromium: $NNC_CHROMIUM, else /usr/bin/chromium; a new empty profile.
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {chromium} from 'playwright-core';

const [mode, url, shot] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), 'nnc-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.NNC_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: {width: 1280, height: 900},
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--no-proxy-server'],
});
let status = 0;
try {
  const page = context.pages()[0] || await context.newPage();
  const problems = [];
  // a refused prediction (a stroke too small to be ink yet) is the page's to show
  page.on('console', (m) => {
    // and once a run has ended its server is gone: what the page asks then fails,
    // its event stream cut off mid-chunk
    if (m.type() === 'error' && !/status of 400|ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|ERR_INCOMPLETE_CHUNKED_ENCODING/.test(m.text()))
      problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(url);
  await page.waitForSelector('#draw', {state: 'visible', timeout: 15000});

  // a 3: two bowls, each stroke by small pointer moves
  async function drawThree() {
    const box = await page.locator('#draw').boundingBox();
    const at = (x, y) => [box.x + x * box.width / 280, box.y + y * box.height / 280];
    const bowl = (cy, r) => {
      const pts = [];
      for (let t = -2.4; t <= 1.6; t += 0.12)
        pts.push([140 + r * Math.cos(t) * 1.1, cy + r * Math.sin(t)]);
      return pts;
    };
    for (const stroke of [bowl(92, 48), bowl(184, 54)]) {
      await page.mouse.move(...at(...stroke[0]));
      await page.mouse.down();
      for (const p of stroke.slice(1)) await page.mouse.move(...at(...p), {steps: 2});
      await page.mouse.up();
    }
    await page.waitForFunction(() => document.getElementById('prediction').textContent !== '–',
                               null, {timeout: 15000});
    await page.waitForTimeout(400);   // the last stroke's answer
    return page.textContent('#prediction');
  }

  if (mode === 'draw') {
    const k = await drawThree();
    await page.screenshot({path: shot, fullPage: true});
    console.log(`prediction: ${k}`);
  } else {
    const points = () => page.$eval('#curves', (c) => Number(c.dataset.points));
    await page.waitForFunction(() => Number(document.getElementById('curves').dataset.points) >= 1,
                               null, {timeout: 60000});
    const first = await points();
    const k = await drawThree();
    await page.waitForFunction((n) => Number(document.getElementById('curves').dataset.points) > n,
                               first, {timeout: 60000});
    // the running cost within the epoch is drawn too
    await page.waitForFunction(() => document.getElementById('legend').textContent
      .includes('running cost'), null, {timeout: 20000});
    await page.waitForTimeout(300);
    await page.screenshot({path: shot, fullPage: true});
    console.log(`the curve grew from ${first} to ${await points()} epochs; prediction: ${k}; ` +
                `status: ${await page.textContent('#status')}; legend: ` +
                `${await page.textContent('#legend')}`);
  }
  if (problems.length) {
    console.log('page errors: ' + problems.join('; '));
    status = 1;
  }
} catch (e) {
  console.log(String(e));
  status = 1;
} finally {
  await context.close();
  rmSync(profile, {recursive: true, force: true});
}
process.exit(status);
