#!/usr/bin/env node
/**
 * Renders bench/bench-chart.svg to bench/bench-chart.png in headless Chromium: the README shows the
 * PNG, because vsce refuses SVG images in a packaged README. Without Chromium it says so and keeps
 * the PNG it has.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { findChromium } = require('./preflight.js');

async function main() {
  const dir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'bench'));
  const svg = fs.readFileSync(path.join(dir, 'bench-chart.svg'), 'utf8');
  const size = /width="(\d+)" height="(\d+)"/.exec(svg);
  if (!size) throw new Error('bench-chart.svg has no width/height');
  const executablePath = findChromium();
  if (!executablePath) {
    console.error('chart-png: no Chromium found (install the Debian package `chromium`); bench-chart.png left as it was');
    return;
  }
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: Number(size[1]), height: Number(size[2]) }, deviceScaleFactor: 2 });
    await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
    await page.locator('svg').screenshot({ path: path.join(dir, 'bench-chart.png') });
  } finally {
    await browser.close();
  }
  console.error(`chart-png: wrote ${path.join(dir, 'bench-chart.png')}`);
}

main().catch((e) => {
  console.error(`chart-png: ${e.message}`);
  process.exitCode = 1;
});
