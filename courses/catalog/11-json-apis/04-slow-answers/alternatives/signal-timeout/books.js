async function loadBooks(baseUrl, ms) {
  try {
    const response = await fetch(`${baseUrl}/books`, {
      signal: AbortSignal.timeout(ms),
    });
    return { ok: true, books: await response.json() };
  } catch (error) {
    if (error.name === "TimeoutError" || error.name === "AbortError") {
      return { ok: false, message: "The library server is too slow" };
    }
    return { ok: false, message: "Could not reach the library server" };
  }
}

module.exports = { loadBooks };
