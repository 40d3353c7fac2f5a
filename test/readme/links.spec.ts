import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import GithubSlugger from 'github-slugger';

const root = join(__dirname, '..', '..');
/** The documents a reader follows links between: README and the Markdown under docs/. */
const DOCUMENTS = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => join('docs', name))];

/** A Markdown document without its fenced code blocks (a `#` there is a comment, a `](` not a link). */
function prose(path: string): string {
  return readFileSync(path, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
}

/** The anchors GitHub gives a document's headings (repeated titles numbered, as it does). */
function anchorsOf(path: string): Set<string> {
  const slugger = new GithubSlugger();
  return new Set([...prose(path).matchAll(/^#{1,6} +(.+?) *#*$/gm)].map(([, title]) => slugger.slug(title)));
}

/** Relative links of a document: its target path (empty: the document itself) and anchor. */
function linksOf(path: string): Array<{ text: string; target: string; anchor: string | undefined }> {
  return [...prose(path).matchAll(/\]\(([^)\s]+)\)/g)]
    .map(([, href]) => href)
    .filter((href) => !/^[a-z]+:/i.test(href))
    .map((href) => {
      const [target, anchor] = href.split('#');
      return { text: href, target, anchor };
    });
}

describe('links between the documents', () => {
  it.each(DOCUMENTS)('every relative link of %s names a file that exists, and a heading it has', (document) => {
    const path = join(root, document);
    const broken = linksOf(path).filter(({ target, anchor }) => {
      const file = target === '' ? path : resolve(dirname(path), decodeURIComponent(target));
      if (!existsSync(file)) return true;
      return anchor !== undefined && file.endsWith('.md') && !anchorsOf(file).has(decodeURIComponent(anchor));
    });
    expect(broken.map(({ text }) => `${relative(root, path)}: ${text}`)).toEqual([]);
  });
});
