// Live counts: every few seconds the page asks its own URL again with live=1 (the server skips the slow parts)
// and swaps in each element marked data-live, by id. Forms are never inside such elements, so nothing typed is lost.
(function () {
  const interval = Number(document.body.dataset.liveInterval || 0);
  const regions = document.querySelectorAll('[data-live][id]');
  if (!interval || regions.length === 0) return;
  let busy = false;
  async function refresh() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const url = new URL(window.location.href);
      url.searchParams.set('live', '1');
      const response = await fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } });
      if (response.redirected && response.url.includes('/console/login')) { window.location.assign(response.url); return; }
      if (!response.ok) return;
      const next = new DOMParser().parseFromString(await response.text(), 'text/html');
      for (const region of document.querySelectorAll('[data-live][id]')) {
        const fresh = next.getElementById(region.id);
        if (fresh && fresh.innerHTML !== region.innerHTML) region.innerHTML = fresh.innerHTML;
      }
    } catch (e) {
      // A failed poll is retried on the next tick; the page keeps what it shows.
    } finally {
      busy = false;
    }
  }
  window.setInterval(refresh, interval);
})();
