import { describe, expect, it } from 'vitest';
import { isHidden, scanRelativePaths, splitRelativePath, walkEntries, type EntryLike } from '../../src/upload/folder-files';

interface FakeFile {
  name: string;
  webkitRelativePath: string;
}

/** A folder as Chrome hands it over: a reader answering at most `batch` entries per call, then an empty batch. */
function folder(name: string, children: EntryLike<FakeFile>[], batch = 100, reads: { count: number } = { count: 0 }): EntryLike<FakeFile> {
  return {
    name,
    isFile: false,
    isDirectory: true,
    createReader() {
      let at = 0;
      return {
        readEntries(success) {
          reads.count++;
          // Answer later, as the browser does.
          queueMicrotask(() => {
            const next = children.slice(at, at + batch);
            at += next.length;
            success(next);
          });
        },
      };
    },
  };
}

function file(name: string): EntryLike<FakeFile> {
  return { name, isFile: true, isDirectory: false, file: (success) => setTimeout(() => success({ name, webkitRelativePath: '' }), 0) };
}

describe('splitRelativePath', () => {
  it('splits the folders from the name', () => {
    expect(splitRelativePath('trip/day1/a.jpg')).toEqual({ path: 'trip/day1/', name: 'a.jpg' });
    expect(splitRelativePath('trip/a.jpg')).toEqual({ path: 'trip/', name: 'a.jpg' });
    expect(splitRelativePath('a.jpg')).toEqual({ path: '', name: 'a.jpg' });
  });
});

describe('isHidden', () => {
  it.each(['.DS_Store', '.git', '.env', '..hidden'])('%s is hidden', (name) => expect(isHidden(name)).toBe(true));
  it.each(['DS_Store', 'photo.jpg', 'a.b.c', 'résumé'])('%s is not', (name) => expect(isHidden(name)).toBe(false));
});

describe('walkEntries', () => {
  it('reads a folder of 3 levels to its last file, in batches until the reader answers none', async () => {
    const reads = { count: 0 };
    // 250 files in one folder: Chrome hands them over 100 at a time.
    const many = Array.from({ length: 250 }, (_, i) => file(`f${String(i).padStart(3, '0')}.txt`));
    const tree = folder(
      'trip',
      [
        file('notes.txt'),
        file('.DS_Store'),
        folder('day1', [file('a.jpg'), file('b.jpg'), folder('raw', [file('a.cr2'), file('.hidden')], 100, reads)], 100, reads),
        folder('.git', [file('HEAD'), file('config')], 100, reads),
        folder('bulk', many, 100, reads),
        folder('empty', [], 100, reads),
      ],
      100,
      reads,
    );
    const scan = await walkEntries([tree]);
    expect(scan.skipped).toBe(3); // .DS_Store, .hidden, and .git (once, unread)
    expect(scan.files).toHaveLength(4 + 250);
    expect(scan.files.slice(0, 3).map((f) => f.path + f.file.name)).toEqual(['trip/bulk/f000.txt', 'trip/bulk/f001.txt', 'trip/bulk/f002.txt']);
    expect(scan.files.filter((f) => f.path === 'trip/bulk/').map((f) => f.file.name)).toEqual(many.map((e) => e.name));
    expect(scan.files.filter((f) => f.path !== 'trip/bulk/').map((f) => [f.path, f.file.name])).toEqual([
      ['trip/day1/', 'a.jpg'],
      ['trip/day1/', 'b.jpg'],
      ['trip/day1/raw/', 'a.cr2'],
      ['trip/', 'notes.txt'],
    ]);
    // trip: 6 entries then none (2 reads); day1: 2; raw: 2; bulk: 100, 100, 50, none (4); empty: 1. The hidden folder: never read.
    expect(reads.count).toBe(2 + 2 + 2 + 4 + 1);
  });

  it('keeps dropped files beside a folder without folders, and skips dropped hidden ones', async () => {
    const scan = await walkEntries([file('loose.txt'), file('.DS_Store'), folder('pics', [file('x.png')])]);
    expect(scan.files.map((f) => [f.path, f.file.name])).toEqual([
      ['', 'loose.txt'],
      ['pics/', 'x.png'],
    ]);
    expect(scan.skipped).toBe(1);
  });

  it('fails when a folder cannot be read, rather than upload part of it silently', async () => {
    const broken: EntryLike<FakeFile> = {
      name: 'locked',
      isFile: false,
      isDirectory: true,
      createReader: () => ({ readEntries: (_ok, fail) => fail?.(new DOMException('denied', 'NotReadableError')) }),
    };
    await expect(walkEntries([folder('top', [broken])])).rejects.toThrow('denied');
  });
});

describe('scanRelativePaths (a folder input)', () => {
  const picked = (relative: string): FakeFile => ({ name: relative.split('/').pop()!, webkitRelativePath: relative });

  it('gives each file its folders, the chosen folder first, and counts a hidden folder once', () => {
    const scan = scanRelativePaths(
      ['trip/day1/b.jpg', 'trip/day1/a.jpg', 'trip/.DS_Store', 'trip/.git/HEAD', 'trip/.git/objects/ab/cd', 'trip/day1/raw/a.cr2', 'trip/notes.txt'].map(picked),
    );
    expect(scan.files.map((f) => [f.path, f.file.name])).toEqual([
      ['trip/day1/', 'a.jpg'],
      ['trip/day1/', 'b.jpg'],
      ['trip/day1/raw/', 'a.cr2'],
      ['trip/', 'notes.txt'],
    ]);
    expect(scan.skipped).toBe(2);
  });

  it('takes a file without a relative path as a single file', () => {
    expect(scanRelativePaths([{ name: 'a.txt', webkitRelativePath: '' }]).files).toEqual([{ file: { name: 'a.txt', webkitRelativePath: '' }, path: '' }]);
  });
});
