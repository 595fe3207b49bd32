// Registers the service worker that keeps the page working offline (see sw.js). A browser
// without service workers, or one that refuses (a private window, a file:// page), simply runs
// the page online.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('sw.js').catch(() => {});
}
