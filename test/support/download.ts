import { createHash } from 'node:crypto';
import { expect } from 'vitest';

/** SHA-256 and length of what a link downloads, streamed: the object is never held in memory. */
export async function sha256Of(url: string): Promise<{ hex: string; bytes: number }> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of res.body!) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { hex: hash.digest('hex'), bytes };
}
