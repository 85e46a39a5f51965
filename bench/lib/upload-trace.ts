import type { Page, Worker } from 'playwright-core';

/**
 * Where one popup upload's time goes, from the browser's own Resource Timing
 * entries: the service worker's requests (CreateMultipartUpload, the join)
 * and those of the upload runner's document (the PUTs), on one clock with the
 * moment the file was chosen and the moment its link was on screen. Nothing in
 * the product is instrumented; the entries are there in any build.
 */
export interface UploadTrace {
  /** File chosen → first request to S3 (the start message, the profile read, signing). */
  toFirstRequest: number;
  /** CreateMultipartUpload's round trip; 0 for one PUT. */
  create: number;
  /** First byte sent of the first PUT → last PUT answered. */
  transfer: number;
  /** How many PUTs, and how many were in flight at most. */
  puts: number;
  inFlight: number;
  /** CompleteMultipartUpload's round trip; 0 for one PUT. */
  join: number;
  /** Last S3 answer → link on screen: the link signed, the history written, the copy, the popup's redraw. */
  toScreen: number;
}

interface Timed {
  name: string;
  start: number;
  end: number;
}

/** The extension pages' `chrome` global, inside functions sent to them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- typed by Chrome at run time
declare const chrome: any;

/** The upload runner's document (Chrome's offscreen document), reached from an extension page in the same process. */
const RUNNER = (): Performance | null => {
  const views = (chrome.extension.getViews as (options: object) => Window[])({});
  return views.find((v) => v.location.pathname.endsWith('/offscreen.html'))?.performance ?? null;
};

/** Forgets earlier entries in the worker and the runner's document; call just before the file is chosen. */
export async function clearUploadTrace(page: Page, worker: Worker): Promise<void> {
  await worker.evaluate(() => {
    performance.clearResourceTimings();
    performance.setResourceTimingBufferSize(2000);
  });
  await page.evaluate(`(${RUNNER.toString()})()?.clearResourceTimings()`);
}

/** Reads the entries once the link is on screen; `chosenAt` and `shownAt` are epoch ms. */
export async function readUploadTrace(page: Page, worker: Worker, chosenAt: number, shownAt: number): Promise<UploadTrace> {
  const entries = (origin: number, list: PerformanceResourceTiming[]): Timed[] =>
    list.map((e) => ({ name: e.name, start: origin + e.startTime, end: origin + e.responseEnd }));
  const read = `(${entries.toString()})`;
  const fromWorker: Timed[] = await worker.evaluate(`${read}(performance.timeOrigin, performance.getEntriesByType('resource'))`);
  const fromRunner: Timed[] = await page.evaluate(`(() => { const p = (${RUNNER.toString()})(); return p ? ${read}(p.timeOrigin, p.getEntriesByType('resource')) : []; })()`);
  const s3 = [...fromWorker, ...fromRunner].filter((e) => /^https?:/.test(e.name));
  const params = (e: Timed) => new URL(e.name).searchParams;
  const create = s3.find((e) => params(e).has('uploads'));
  const puts = fromRunner.filter((e) => /^https?:/.test(e.name) && !params(e).has('uploads') && !(params(e).has('uploadId') && !params(e).has('partNumber')));
  const join = s3.find((e) => params(e).has('uploadId') && !params(e).has('partNumber') && e.start >= (puts.at(-1)?.start ?? 0));
  if (!puts.length) throw new Error('the trace has no PUT from the upload document (is it still open?)');
  const first = Math.min(...s3.map((e) => e.start));
  const transferStart = Math.min(...puts.map((e) => e.start));
  const transferEnd = Math.max(...puts.map((e) => e.end));
  const lastAnswer = Math.max(transferEnd, join?.end ?? 0);
  const inFlight = Math.max(...puts.map((p) => puts.filter((q) => q.start <= p.start && q.end > p.start).length));
  return {
    toFirstRequest: first - chosenAt,
    create: create ? create.end - create.start : 0,
    transfer: transferEnd - transferStart,
    puts: puts.length,
    inFlight,
    join: join ? join.end - join.start : 0,
    toScreen: shownAt - lastAnswer,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`);

/** The median of each phase over the runs, in one line. */
export function tracePhases(traces: UploadTrace[]): string {
  const m = (pick: (t: UploadTrace) => number) => median(traces.map(pick));
  const parts = m((t) => t.puts);
  return (
    `to the first request ${ms(m((t) => t.toFirstRequest))}` +
    (parts > 1 ? ` · CreateMultipartUpload ${ms(m((t) => t.create))}` : '') +
    ` · ${parts > 1 ? `${parts} parts, ${m((t) => t.inFlight)} at a time,` : 'the PUT'} ${ms(m((t) => t.transfer))}` +
    (parts > 1 ? ` · CompleteMultipartUpload ${ms(m((t) => t.join))}` : '') +
    ` · link, history, copy and redraw ${ms(m((t) => t.toScreen))}`
  );
}

/** A row's note: where the time goes, and how that was measured. */
export function describeTraces(traces: UploadTrace[]): string {
  if (!traces.length) return '';
  return `where the time goes (median of ${traces.length}, Resource Timing of the worker and the upload document): ${tracePhases(traces)}`;
}
