// package.json as the Marketplace and Open VSX read it, and `engines` as the toolchain needs it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const read = (f: string) => fs.readFileSync(path.join(root, f));
const manifest = JSON.parse(read('package.json').toString()) as Record<string, unknown> & {
  icon: string;
  engines: { node: string; vscode: string };
  galleryBanner: { color: string; theme: string };
};

/** The Marketplace's categories (vsce refuses others). */
const categories = ['Programming Languages', 'Snippets', 'Linters', 'Themes', 'Debuggers', 'Formatters', 'Keymaps', 'SCM Providers', 'Other'];
categories.push('Extension Packs', 'Language Packs', 'Data Science', 'Machine Learning', 'Visualization', 'Notebooks', 'Education', 'Testing', 'AI', 'Chat');

describe('the extension manifest', () => {
  it('has what the Marketplace and Open VSX page shows: name, description, categories, keywords, links, license', () => {
    expect(manifest).toMatchObject({ name: 'pipewright', displayName: 'Pipewright', publisher: 'pipewright', license: 'MIT', private: true });
    expect(String(manifest.description).length).toBeGreaterThan(40);
    expect((manifest.categories as string[]).every((c) => categories.includes(c))).toBe(true);
    expect((manifest.keywords as string[]).length).toBeGreaterThanOrEqual(5);
    expect((manifest.keywords as string[]).length).toBeLessThanOrEqual(30); // vsce's limit
    expect(manifest).toMatchObject({
      repository: { type: 'git', url: expect.stringMatching(/^https:\/\/github\.com\//) as unknown },
      bugs: { url: expect.stringMatching(/^https:\/\/github\.com\/.*\/issues$/) as unknown },
      homepage: expect.stringMatching(/^https:\/\//) as unknown,
    });
    expect(manifest.galleryBanner.color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(['dark', 'light']).toContain(manifest.galleryBanner.theme);
    expect(read('LICENSE').toString()).toMatch(/^MIT License/);
    expect(read('CHANGELOG.md').toString()).toMatch(/^## \[Unreleased\]$/m);
  });

  it('has a 128×128 PNG icon', () => {
    const png = read(manifest.icon);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([128, 128]); // IHDR width, height
  });

  it('runs where the files are (a workspace extension: on the WSL, SSH or container side)', () => {
    expect(manifest.extensionKind).toEqual(['workspace']);
  });

  it('README images are PNG files of the repository (vsce makes them absolute from `repository`) or https URLs; no SVG (vsce refuses them)', () => {
    const images = [
      ...read('README.md')
        .toString()
        .matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g),
    ].map((m) => m[1]!);
    expect(images.length).toBeGreaterThan(2);
    expect(images.filter((src) => /\.svg$/i.test(src))).toEqual([]);
    expect(images.filter((src) => !src.startsWith('https://') && !fs.existsSync(path.join(root, src)))).toEqual([]);
  });

  it('engines.node is what the toolchain needs (vite under vitest, oxlint), nothing older', () => {
    for (const tool of ['vite', 'oxlint']) {
      const engines = (JSON.parse(read(`node_modules/${tool}/package.json`).toString()) as { engines: { node: string } }).engines;
      expect(manifest.engines.node, tool).toBe(engines.node);
    }
  });
});
