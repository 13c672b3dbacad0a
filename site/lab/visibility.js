// Loaded by every page of the site (scripts/build_site.py adds it to JupyterLite's pages): tells the
// labs running in kernel workers whether any page of the site is in sight, so that their guests stop
// using the CPU while every tab of the site is hidden (site/lab/web.mjs listens).
(() => {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel("bondkit-lab-visibility");
  const page = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const tell = (hidden) => channel.postMessage({ page, hidden });
  document.addEventListener("visibilitychange", () => tell(document.visibilityState === "hidden"));
  window.addEventListener("pagehide", () => tell(true));
  channel.onmessage = (event) => {
    if (event.data && event.data.ask) tell(document.visibilityState === "hidden");
  };
})();
