"""The explorer of notebook 04 as the browser shows it: its controls, and the time from a change of one
to the new figure on screen, measured in the page (``performance.now()``). Shared by the browser tests
and ``bench/bench_browser.py``.

The explorer's widgets carry CSS classes (``bondkit-explorer``, ``bondkit-mode`` ... ``bondkit-figure``,
see ``bondkit.widgets``), so nothing here depends on how ipywidgets lays them out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

EXPLORER = ".bondkit-explorer"
LIVE_RUN = ".bondkit-live-run"
CONTROLS = ("mode", "switch", "fault", "monitor", "window", "lang")

_JS_STATE = """(root) => {
  const state = {};
  for (const name of CONTROLS) {
    const box = root.querySelector('.bondkit-' + name);
    if (!box) continue;
    const select = box.querySelector('select');
    if (select) {
      state[name] = {kind: 'select', index: select.selectedIndex,
                     options: Array.from(select.options).map(o => o.textContent)};
    } else {
      const buttons = Array.from(box.querySelectorAll('button'));
      state[name] = {kind: 'buttons', index: buttons.findIndex(b => b.classList.contains('mod-active')),
                     options: buttons.map(b => b.textContent)};
    }
  }
  return state;
}""".replace("CONTROLS", json.dumps(CONTROLS))

#: Change one control and wait for the figure's new image to be decoded and painted.
_JS_CHANGE = """async (root, [name, index]) => {
  const box = root.querySelector('.bondkit-' + name);
  const img = root.querySelector('img.bondkit-figure');
  const before = img.src;
  const start = performance.now();
  const select = box.querySelector('select');
  if (select) {
    select.selectedIndex = index;
    select.dispatchEvent(new Event('change', {bubbles: true}));
  } else {
    box.querySelectorAll('button')[index].click();
  }
  const changed = await new Promise((resolve) => {
    const watch = new MutationObserver(() => {
      if (img.src !== before) { clearTimeout(timer); watch.disconnect(); resolve(true); }
    });
    const timer = setTimeout(() => { watch.disconnect(); resolve(false); }, 15000);
    watch.observe(img, {attributes: true, attributeFilter: ['src']});
  });
  if (changed) {
    await img.decode().catch(() => null);
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  }
  return {changed, ms: performance.now() - start, width: img.naturalWidth, shown: img.clientWidth};
}"""


@dataclass(frozen=True)
class Control:
    name: str
    kind: str
    index: int
    options: tuple[str, ...]

    def other(self) -> int:
        """An option other than the current one (the next, wrapping)."""
        return (self.index + 1) % len(self.options)


def explorer_controls(explorer: Any) -> list[Control]:
    """The explorer's controls as they are now (name, current choice, the choices shown)."""
    state = explorer.evaluate(_JS_STATE)
    return [Control(name, s["kind"], s["index"], tuple(s["options"])) for name, s in state.items()]


def redraw_after(explorer: Any, control: Control, index: int | None = None) -> dict:
    """Choose option ``index`` (default: another one) of ``control`` and wait for the new figure.

    Returns ``changed`` (the image was replaced), ``ms`` (from the change to the new image painted),
    the image's ``width`` in pixels and the width it is ``shown`` at.
    """
    chosen = control.other() if index is None else index
    return explorer.evaluate(_JS_CHANGE, [control.name, chosen]) | {"control": control.name,
                                                                     "option": control.options[chosen]}
