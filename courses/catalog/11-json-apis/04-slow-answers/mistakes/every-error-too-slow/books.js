// Ask the library server for all its books, but do not wait for
// ever: give up after ms milliseconds.
// Gives back { ok: true, books } or { ok: false, message }.
async function loadBooks(baseUrl, ms) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    const response = await fetch(`${baseUrl}/books`, {
      signal: controller.signal,
    });
    const books = await response.json();
    return { ok: true, books };
  } catch (error) {
    return { ok: false, message: "The library server is too slow" };
  } finally {
    clearTimeout(timer);
  }
}

module.exports = { loadBooks };
