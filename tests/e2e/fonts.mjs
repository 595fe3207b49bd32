// The rendered size of the text a page shows, for the projector checks: every visible piece of
// text with its size in CSS pixels as drawn (SVG text scaled by its screen transform, CSS zoom
// included), and the smallest of the stage, the diagram and the control bar.

/** The least size, in CSS pixels, of text the audience reads. */
export const AUDIENCE = 18;
/** The least size of the teacher's controls in the bar. */
export const CONTROLS = 15;

/**
 * Every piece of visible text in the page with its rendered size in CSS pixels: the computed
 * font size, times the SVG scale it is drawn at and any CSS zoom. Text is visible when a box of
 * it lies in the window and inside every ancestor that clips, and nothing hides it (a hidden or
 * transparent ancestor, a closed menu).
 */
export function renderedTexts() {
  const visibleIn = (rect, el) => {
    if (rect.right <= 0 || rect.bottom <= 0 || rect.left >= innerWidth || rect.top >= innerHeight) return false;
    for (let a = el.parentElement; a; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.display === 'none' || cs.visibility === 'hidden' || Number(cs.opacity) === 0) return false;
      if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible' || cs.clip !== 'auto') {
        const box = a.getBoundingClientRect();
        const cx = (rect.left + rect.right) / 2;
        const cy = (rect.top + rect.bottom) / 2;
        if (cx < box.left || cx > box.right || cy < box.top || cy > box.bottom) return false;
        if (box.width <= 1 || box.height <= 1) return false;
      }
    }
    return true;
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest('script, style, title, defs, desc')) continue;
    // The contents of a closed <details> (a menu not open) are not drawn.
    const details = el.closest('details');
    if (details && !details.open && !el.closest('summary')) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || Number(cs.opacity) === 0 || cs.display === 'none') continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rect = [...range.getClientRects()].find((r) => r.width > 0.5 && r.height > 0.5);
    if (!rect || !visibleIn(rect, el)) continue;
    let size = parseFloat(cs.fontSize) * (el.currentCSSZoom ?? 1);
    if (el instanceof SVGElement && el.getScreenCTM) {
      const m = el.getScreenCTM();
      if (m) size = parseFloat(cs.fontSize) * Math.hypot(m.c, m.d);
    }
    const where = el.closest('[data-testid]')?.getAttribute('data-testid') ?? el.className?.baseVal ?? el.className;
    out.push({ size: Math.round(size * 10) / 10, text: text.slice(0, 40), where: String(where), bar: !!el.closest('.app__bar'), svg: el instanceof SVGElement });
  }
  return out;
}

/** The smallest text of the stage and of the bar, and the texts under the limit. */
export async function measure(app) {
  const texts = await app.page.evaluate(renderedTexts);
  const stage = texts.filter((t) => !t.bar && !t.svg);
  const drawn = texts.filter((t) => !t.bar && t.svg);
  const bar = texts.filter((t) => t.bar);
  const min = (list) => (list.length ? Math.min(...list.map((t) => t.size)) : '–');
  return {
    stage: min(stage),
    drawn: min(drawn),
    bar: min(bar),
    count: stage.length,
    small: stage.filter((t) => t.size < AUDIENCE),
    smallBar: bar.filter((t) => t.size < CONTROLS),
    smallDrawn: drawn.filter((t) => t.size < AUDIENCE),
  };
}

