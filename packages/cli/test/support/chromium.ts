import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's chromium, if installed (CI installs it; PAGEVISOR_REQUIRE_CHROMIUM makes its absence a failure). */
export function findChromium(): string | undefined {
  const found = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
  if (!found && process.env['PAGEVISOR_REQUIRE_CHROMIUM']) throw new Error('PAGEVISOR_REQUIRE_CHROMIUM is set but chromium is not installed (apt-get install chromium)');
  return found;
}

/** Loads a local file in headless Chromium; returns the DOM after load and the console messages it logged. */
export function renderHeadless(chromium: string, file: string): { dom: string; console: string[] } {
  const run = spawnSync(chromium, ['--headless=new', '--no-sandbox', '--disable-gpu', '--enable-logging=stderr', '--v=0', '--dump-dom', `file://${file}`], { encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`chromium exited with ${run.status}: ${run.stderr}`);
  return { dom: run.stdout, console: run.stderr.split('\n').filter((line) => line.includes(':CONSOLE')) };
}
