import type { ComponentChildren, VNode } from 'preact';
import { t, type MessageArgs, type MessageKey } from '../i18n/t';

/** Stand-ins for elements while the message is looked up: private-use characters no translation contains. */
const mark = (index: number) => `\uE000${index}\uE001`;
const MARKS = /\uE000(\d+)\uE001/;

/**
 * A message with markup in it, for Preact: `Uploads go to {bucket};` with
 * `{ bucket: <strong>{name}</strong> }`. Elements stand in for their
 * placeholders wherever the translation puts them; strings and numbers are
 * plain parameters, as with `t`.
 */
export function tRich<K extends MessageKey>(key: K, ...params: MessageArgs<K, string | number | VNode>): ComponentChildren[];
export function tRich(key: MessageKey, params: Record<string, string | number | VNode> = {}): ComponentChildren[] {
  const elements: VNode[] = [];
  const plain: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'string' || typeof value === 'number') plain[name] = value;
    else plain[name] = mark(elements.push(value) - 1);
  }
  return (t as (key: MessageKey, params: Record<string, string | number>) => string)(key, plain)
    .split(MARKS)
    .map((piece, i) => (i % 2 ? elements[Number(piece)] : piece))
    .filter((piece) => piece !== '');
}
