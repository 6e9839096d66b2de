/** The HTML document around every server-rendered portal page. `title` is escaped; the rest is trusted markup. */
import { escapeHtml } from '../domain/escape.js';

export function htmlDocument(p: {
  title: string;
  stylesheet: string;
  /** Extra trusted tags at the end of <head> (meta, boot data, module script). */
  head?: string;
  /** Trusted markup before <main> (e.g. a skip link). */
  beforeMain?: string;
  mainClass?: string;
  body: string;
}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(p.title)}</title>
<link rel="stylesheet" href="${p.stylesheet}">
${p.head ?? ''}</head>
<body>
${p.beforeMain ?? ''}<main id="main"${p.mainClass ? ` class="${p.mainClass}"` : ''}>
${p.body}
</main>
</body>
</html>`;
}
