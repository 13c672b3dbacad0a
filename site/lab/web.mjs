// The lab in a page or a web worker (the Pyodide kernel's): its files fetched from the site's own
// bondlab/ folder, nowhere else.
import { openLab } from "./lab.mjs";

export async function startLab(base) {
  const { V86 } = await import(new URL("libv86.mjs", base).href);
  const load = async (name) => {
    const response = await fetch(new URL(name, base));
    if (!response.ok) throw new Error(`${new URL(name, base)}: HTTP ${response.status}`);
    return response.arrayBuffer();
  };
  const begun = performance.now();
  const lab = await openLab(load, V86);
  lab.loadedSeconds = (performance.now() - begun) / 1000;
  lab.readySeconds = lab.loadedSeconds + (await lab.up());
  followVisibility(lab);
  return lab;
}

// The guests stop while no page of the site is in sight (site/lab/visibility.js tells which pages
// are hidden) and go on when one is shown again; their clocks pick up where they stopped.
function followVisibility(lab) {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel("bondkit-lab-visibility");
  const hidden = new Map();
  channel.onmessage = (event) => {
    const { page, hidden: isHidden } = event.data || {};
    if (!page) return;
    hidden.set(page, isHidden);
    const anyShown = Array.from(hidden.values()).some((value) => !value);
    (anyShown ? lab.resume() : lab.pause()).catch((error) => console.error("bondkit lab:", error));
  };
  channel.postMessage({ ask: true });
}
