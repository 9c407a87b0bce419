// Ask the library server for all its books, but do not wait for
// ever: give up after ms milliseconds.
// Gives back { ok: true, books } or { ok: false, message }.
async function loadBooks(baseUrl, ms) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms * 1000);
  try {
    const response = await fetch(`${baseUrl}/books`, {
      signal: controller.signal,
    });
    const books = await response.json();
    return { ok: true, books };
  } catch (error) {
    if (error.name === "AbortError") {
      return { ok: false, message: "The library server is too slow" };
    }
    return { ok: false, message: "Could not reach the library server" };
  } finally {
    clearTimeout(timer);
  }
}

module.exports = { loadBooks };
