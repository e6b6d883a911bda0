// Driven by .ci/browser-check: sign in as a north biller, read the dashboard, filter it, open
// the work queues, work an item, open a held visit's trace and the provider page, sign out;
// sign in as a therapist who rendered nothing and see nothing.
const { chromium } = require('playwright-core');
const [base, biller, therapist, shots] = process.argv.slice(2);

function check(condition, what) {
  if (!condition) throw new Error(`browser check failed: ${what}`);
  console.log(`ok: ${what}`);
}

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Nothing may be fetched from another host.
  const foreign = [];
  page.on('request', (request) => { if (!request.url().startsWith(base)) foreign.push(request.url()); });

  await page.goto(`${base}/dashboard`);
  check(page.url().endsWith('/login'), 'an anonymous visitor is sent to the sign-in page');
  await page.fill('input[name=username]', 'ana');
  await page.fill('input[name=password]', 'wrong');
  await page.click('button[type=submit]');
  check((await page.textContent('[role=alert]')).includes('wrong'), 'a wrong password is refused with a message');
  await page.fill('input[name=password]', biller);
  await page.click('button[type=submit]');
  await page.waitForURL('**/dashboard');
  check(await page.isVisible('h2#first-pass'), 'the dashboard shows the first-pass clean claim rate');
  const rate = await page.textContent('section[aria-labelledby=first-pass] tbody tr td:last-child');
  check(/\d+\.\d\d%/.test(rate), `a first-pass rate is shown (${rate.trim()})`);
  check(await page.isVisible('svg[role=img]'), 'the charts are drawn');
  const receivables = await page.textContent('section[aria-labelledby=receivables]');
  check(/\d+\.\d days in A\/R/.test(receivables) && /\$[\d,]+\.\d\d/.test(receivables), `days in A/R and open dollars are shown (${receivables.replace(/\s+/g, ' ').slice(0, 80)})`);
  const holds = await page.$$eval('section[aria-labelledby=holds] tbody th', (t) => t.map((x) => x.textContent.trim()));
  check(holds.some((q) => ['documentation_hold', 'authorization', 'coding_review'].includes(q)), `holds and their time to resolution are shown by queue (${holds.join(', ')})`);
  const options = await page.$$eval('select[name=location] option', (o) => o.map((x) => x.textContent.trim()));
  check(options.includes('North Clinic') && !options.includes('South Clinic'), 'a north biller can pick only north');
  await page.screenshot({ path: `${shots}/dashboard.png` });

  await page.selectOption('select[name=discipline]', 'pt');
  await page.click('form.filters button[type=submit]');
  await page.waitForURL('**/dashboard?**discipline=pt**');
  const kept = await page.$eval('select[name=discipline]', (select) => select.value);
  check(page.url().includes('discipline=pt') && kept === 'pt', 'the discipline filter is applied and kept');

  await page.click('nav a[href="/queues"]');
  await page.waitForURL('**/queues');
  const rows = await page.$$('tbody tr');
  check(rows.length > 1, `the work queues list open items (${rows.length})`);
  await page.selectOption('select[name=queue]', 'documentation_hold');
  await page.click('form.filters button[type=submit]');
  check((await page.textContent('caption')).includes('documentation hold'), 'the queue filter narrows the list');
  await page.screenshot({ path: `${shots}/queues.png` });
  const open = async () => parseInt((await page.textContent('caption')).trim(), 10);
  const before = await open();
  await page.click('tbody tr:first-child button:has-text("Take")');
  await page.waitForURL('**/queues?queue=documentation_hold');
  check((await page.textContent('tbody tr:first-child')).includes('ana'), 'taking an item makes the biller its owner');
  await page.click('tbody tr:first-child button:has-text("Resolve")');
  await page.waitForURL('**/queues?queue=documentation_hold');
  check((await open()) === before - 1, `resolving an item takes it off the open list (${before} then ${await open()})`);

  await page.selectOption('select[name=order]', 'dollars');
  await page.click('form.filters button[type=submit]');
  await page.waitForURL('**/queues?**order=dollars**');
  check((await page.textContent('caption')).includes('largest charges first'), 'the queue sorts by dollars');
  await page.fill('tbody tr:first-child input[name=text]', 'called the clinic');
  await page.click('tbody tr:first-child button:has-text("Add")');
  await page.waitForURL('**/queues?**order=dollars**');
  check((await page.textContent('tbody tr:first-child')).includes('1 comment(s)'), 'a comment from the page lands on the item');
  // Open a held visit from its queue row: the trace explains every line and each finding.
  await page.click('tbody tr:first-child td a[href^="/encounters/"]');
  await page.waitForURL('**/encounters/**');
  check((await page.textContent('h2#scrub')).includes('Scrub result now'), 'a held visit opens from the queue on its trace page');
  const why = await page.$$eval('section[aria-labelledby=scrub] table:first-of-type tbody td:last-child', (t) => t.map((x) => x.textContent));
  check(why.length > 0 && why.every((text) => /unit/.test(text)), `every billed line carries its explanation (${why.length} line(s))`);
  const fixes = await page.$$eval('section[aria-labelledby=scrub] table:last-of-type tbody tr', (r) => r.map((x) => x.textContent));
  check(fixes.length > 0, 'the findings are listed with their fix and source');
  await page.screenshot({ path: `${shots}/encounter.png`, fullPage: true });
  await page.click('nav a[href="/provider"]');
  await page.waitForURL('**/provider');
  check((await page.textContent('h2#common')).includes('held most often'), 'the provider page lists the most common reasons with how to avoid them');
  await page.screenshot({ path: `${shots}/provider.png` });

  await page.click('header button[type=submit]');
  await page.waitForURL('**/login');
  await page.goto(`${base}/dashboard`);
  check(page.url().endsWith('/login'), 'after signing out the dashboard needs a sign-in again');

  await page.fill('input[name=username]', 'theo');
  await page.fill('input[name=password]', therapist);
  await page.click('button[type=submit]');
  await page.waitForURL('**/dashboard');
  await page.goto(`${base}/queues`);
  check((await page.textContent('tbody')).includes('Nothing waiting'), 'a therapist sees no visit they did not render');

  check(foreign.length === 0, `no request left the server (${foreign.join(', ')})`);
  await browser.close();
})().catch((error) => { console.error(error.message || error); process.exit(1); });
